"""The catalogs (danh mục) administrators and analysts keep: document types, fees, agencies,
procedures with their components, deadlines and step officers; and keeping them in step with the
portal's national catalogue (national_catalogue, national_diff, national_sync: 003 §III.2.b).

May use: core, accounts, documents."""
