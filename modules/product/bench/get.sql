-- pgbench: the statement GET /api/v1/products/{id} sends.
\set id random(1, 100000)
SELECT p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations, c.code AS category_code, c.name AS category_name, c.translations AS category_translations FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = :id;
