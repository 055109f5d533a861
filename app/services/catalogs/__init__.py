"""The catalogs (danh mục) administrators and analysts keep: document types, fees, agencies,
procedures with their components, deadlines and step officers.

May use: core, accounts, documents."""
