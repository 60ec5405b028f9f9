-- pgbench: what POST /api/v1/products sends, in one round trip (one implicit transaction): the
-- audit context, then the one statement that creates the product with its translation and
-- returns it with its category. The audit trigger writes its event in both cases.
\startpipeline
SELECT set_config('erp.actor_id', '1', true), set_config('erp.request_id', 'pgbench', true);
WITH p AS (INSERT INTO products (sku, name, description, price, is_active, category_id, attributes, translations) VALUES ('PG-' || md5(random()::text), 'Bench product', NULL, '12.50', true, :first_category, '{"color":"red","size":42}', '{"fr":{"name":"Produit de test"}}') RETURNING *) SELECT p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations, c.code AS category_code, c.name AS category_name, c.translations AS category_translations FROM p LEFT JOIN categories c ON c.id = p.category_id;
\endpipeline
