-- pgbench: the statement GET /api/v1/products?limit=50&lang=fr&category_id={id} sends.
\set cat random(:first_category, :first_category + 99)
SELECT p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations, c.code AS category_code, c.name AS category_name, c.translations AS category_translations FROM (SELECT p.* FROM products AS p WHERE p.category_id = :cat ORDER BY p.id ASC LIMIT 51) AS p LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.id ASC;
