-- pgbench: what PATCH /api/v1/products/{id} {"price": ...} sends, in one round trip: the audit
-- context, then the UPDATE that returns the product with its category (the audit trigger
-- writes the price change).
\set id random(1, 100000)
\set cents random(100, 999999)
\startpipeline
SELECT set_config('erp.actor_id', '1', true), set_config('erp.request_id', 'pgbench', true);
WITH p AS (UPDATE products SET price = :cents / 100.0 WHERE id = :id RETURNING *) SELECT p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations, c.code AS category_code, c.name AS category_name, c.translations AS category_translations FROM p LEFT JOIN categories c ON c.id = p.category_id;
\endpipeline
