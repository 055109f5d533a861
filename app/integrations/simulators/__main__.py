"""`python -m app.integrations.simulators portal|warehouse|national|sms|business_registry|
e_authentication --host H --port P`."""

from __future__ import annotations

import argparse

from app.integrations.simulators import (
    business_registry,
    e_authentication,
    national,
    portal,
    sms,
    warehouse,
)

FACTORIES = {
    "portal": portal.create_portal_simulator,
    "warehouse": warehouse.create_warehouse_simulator,
    "national": national.create_national_simulator,
    "sms": sms.create_sms_simulator,
    "business_registry": business_registry.create_business_registry_simulator,
    "e_authentication": e_authentication.create_e_authentication_simulator,
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a simulator of an external system.")
    parser.add_argument("system", choices=sorted(FACTORIES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    FACTORIES[args.system]().run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
