"""Integrations: HTTP clients for the national portal (Cổng DVCQG) and the e-document
warehouse (Kho DL), the registry of service-task operators, and simulators of both systems."""
