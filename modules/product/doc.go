// Package product owns the product catalogue.
//
// Tables: products (it also reads categories.id, code, name and translations, read-only, to
// embed each product's category in the same query). Routes (under /api/v1): POST/GET
// /products, GET/PATCH/DELETE /products/:id, and the translation routes of name and
// description. Constraints: uq_products_sku, fk_products_category_id, ck_products_price,
// ck_products_sku, ck_products_name, ck_products_attributes.
package product
