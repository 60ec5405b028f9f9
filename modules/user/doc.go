// Package user owns users, their passwords and sign-in.
//
// Tables: users. Routes (under /api/v1): POST /auth/token (public); GET /users/me (any role);
// POST/GET /users, GET/PATCH/DELETE /users/:id (admin). Commands: users create-admin.
// Constraints: uq_users_email, ck_users_role, ck_users_email, ck_users_full_name.
// Passwords are stored only as bcrypt hashes and never returned, logged or echoed.
package user
