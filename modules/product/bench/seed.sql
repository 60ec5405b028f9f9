-- The benchmark data set: 100 categories and 100,000 products, with attributes on every
-- product and a French translation on every other one. Used by `make bench` and by the plan
-- tests (explain_test.go). Runs in a few seconds; psql variables: none.
INSERT INTO categories (code, name, translations)
SELECT 'cat-' || i, 'Category ' || i, jsonb_build_object('fr', jsonb_build_object('name', 'Catégorie ' || i))
FROM generate_series(1, 100) AS i;

INSERT INTO products (sku, name, description, price, category_id, attributes, translations)
SELECT 'SKU-' || lpad(i::text, 6, '0'),
       'Product ' || i,
       'Description of product ' || i,
       (i % 10000) / 100.0 + 1,
       (SELECT min(id) FROM categories) + i % 100,
       jsonb_build_object(
         'color', (ARRAY['red','green','blue','black','white','yellow','orange','purple','grey','brown'])[i % 10 + 1],
         'size', i % 50,
         'model', 'M-' || i),
       CASE WHEN i % 2 = 0
         THEN jsonb_build_object('fr', jsonb_build_object('name', 'Produit ' || i, 'description', 'Description du produit ' || i))
         ELSE '{}'::jsonb END
FROM generate_series(1, 100000) AS i;

ANALYZE categories;
ANALYZE products;
