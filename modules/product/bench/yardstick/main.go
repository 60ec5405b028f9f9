// Command yardstick is make bench's baseline for GET /api/v1/products/{id}?lang=fr: the least a
// server can do for that contract on this schema, honestly. net/http and pgx (a pool as large
// as the service's), the same single SQL statement, the bearer token's HS256 signature and
// expiry checked on every request, the French name and description with per-field fallback (the
// category's too), the same JSON fields, the ETag and the X-Request-ID every response carries. No framework, no middleware, no metrics,
// no logs. The bench runs it next to the service in the same rounds and reports the service's
// ratio to it.
//
//	BENCH_YARDSTICK_ADDR=127.0.0.1:18081 BENCH_DATABASE_URL=... BENCH_JWT_SECRET=... BENCH_POOL=16 yardstick
package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const query = `SELECT p.id, p.sku, p.name, p.description, p.price::text, p.is_active, p.category_id, p.attributes, p.version,
	p.created_at, p.updated_at, p.translations, c.code, c.name, c.translations
	FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = $1`

type category struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

type product struct {
	ID          int64           `json:"id"`
	Lang        string          `json:"lang"`
	SKU         string          `json:"sku"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	Price       string          `json:"price"`
	IsActive    bool            `json:"is_active"`
	CategoryID  *int64          `json:"category_id"`
	Category    *category       `json:"category"`
	Attributes  json.RawMessage `json:"attributes"`
	Version     int32           `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

type server struct {
	pool   *pgxpool.Pool
	secret []byte
}

func main() {
	cfg, err := pgxpool.ParseConfig(os.Getenv("BENCH_DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	size, _ := strconv.Atoi(os.Getenv("BENCH_POOL"))
	cfg.MaxConns, cfg.MinConns = int32(max(size, 1)), int32(max(size, 1)) //nolint:gosec // small
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{pool: pool, secret: []byte(os.Getenv("BENCH_JWT_SECRET"))}
	srv := &http.Server{Addr: os.Getenv("BENCH_YARDSTICK_ADDR"), Handler: http.HandlerFunc(s.get), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	// Every response carries X-Request-ID (api.md): the client's, or a new random one.
	id := r.Header.Get("X-Request-ID")
	if id == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	}
	w.Header().Set("X-Request-ID", id)
	if !s.authorised(r.Header.Get("Authorization")) {
		http.Error(w, `{"status":401}`, http.StatusUnauthorized)
		return
	}
	productID, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/api/v1/products/"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var p product
	var code, cname *string
	var translations, ctranslations map[string]map[string]string
	err = s.pool.QueryRow(r.Context(), query, productID).Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.Price, &p.IsActive,
		&p.CategoryID, &p.Attributes, &p.Version, &p.CreatedAt, &p.UpdatedAt, &translations, &code, &cname, &ctranslations)
	if errors.Is(err, pgx.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, `{"status":503}`, http.StatusServiceUnavailable)
		return
	}
	lang := r.URL.Query().Get("lang")
	p.Lang = "en"
	if fr, ok := translations[lang]; ok && lang != "" {
		p.Lang = lang
		if v, ok := fr["name"]; ok {
			p.Name = v
		}
		if v, ok := fr["description"]; ok {
			p.Description = &v
		}
	}
	if p.CategoryID != nil && code != nil {
		c := &category{ID: *p.CategoryID, Code: *code, Name: *cname}
		if v, ok := ctranslations[lang]["name"]; ok {
			c.Name = v
		}
		p.Category = c
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", `"`+strconv.Itoa(int(p.Version))+`"`)
	w.Header().Set("Content-Language", p.Lang)
	_ = json.NewEncoder(w).Encode(p)
}

// authorised checks the token's signature (HS256) and expiry, as every request must.
func (s *server) authorised(header string) bool {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return false
	}
	_, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	return err == nil
}
