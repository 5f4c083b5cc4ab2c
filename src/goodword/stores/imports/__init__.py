"""CSV imports of customers, products and orders from Shopify and WooCommerce exports.

`reading` turns a file into numbered rows, one module per shop turns rows into validated inputs, and `runner`
feeds those to the stores services in chunks, one unit of work each. Supported columns: docs/imports.md.
"""
