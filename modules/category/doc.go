// Package category owns product categories: a tree (parent_id) of codes and names.
//
// Tables: categories. Routes (under /api/v1): POST/GET /categories,
// GET/PATCH/DELETE /categories/:id. Constraints: uq_categories_code, fk_categories_parent_id,
// ck_categories_code, ck_categories_name, ck_categories_parent_not_self.
package category
