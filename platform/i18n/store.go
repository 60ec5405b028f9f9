package i18n

import (
	"context"
	"encoding/json"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/tx"
)

// store reads and writes one table's translations column. Every change is one guarded UPDATE
// (so If-Match is checked in the same statement), which also bumps the row's version and
// updated_at through the table's touch trigger.
type store struct {
	db       *gorm.DB
	table    string
	notFound error
}

type versioned struct {
	Version      int32
	Translations Translations
}

func (s *store) get(ctx context.Context, id int64) (versioned, error) {
	var v versioned
	res := tx.Conn(ctx, s.db).Raw("SELECT version, translations FROM "+s.table+" WHERE id = ?", id).Scan(&v)
	if res.Error != nil {
		return v, res.Error
	}
	if res.RowsAffected == 0 {
		return v, s.notFound
	}
	return v, nil
}

// put replaces one language's text; an empty set removes the language.
func (s *store) put(ctx context.Context, id int64, lang string, text map[string]string, cond *etag.Match) (versioned, error) {
	raw, err := json.Marshal(text)
	if err != nil {
		return versioned{}, err
	}
	set := "translations = jsonb_set(translations, ARRAY[?::text], ?::jsonb)"
	args := []any{lang, string(raw)}
	if len(text) == 0 {
		set, args = "translations = translations - ?::text", []any{lang}
	}
	return s.update(ctx, id, set, args, "", cond)
}

// remove deletes one language; a missing translation is a 404.
func (s *store) remove(ctx context.Context, id int64, lang string, cond *etag.Match) error {
	_, err := s.update(ctx, id, "translations = translations - ?::text", []any{lang},
		lang, cond)
	return err
}

// update runs the guarded UPDATE; when requireLang is set the row must have that language.
func (s *store) update(ctx context.Context, id int64, set string, args []any, requireLang string, cond *etag.Match) (versioned, error) {
	q := "UPDATE " + s.table + " SET " + set + " WHERE id = ?"
	args = append(args, id)
	if requireLang != "" {
		q += " AND translations -> ?::text IS NOT NULL"
		args = append(args, requireLang)
	}
	if cond.Restricts() {
		q += " AND version IN ?"
		args = append(args, cond.Versions)
	}
	var out versioned
	err := tx.Run(ctx, s.db, func(ctx context.Context) error {
		res := tx.Conn(ctx, s.db).Raw(q+" RETURNING version, translations", args...).Scan(&out)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			return nil
		}
		current, err := s.get(ctx, id)
		switch {
		case err != nil:
			return err
		case !cond.Allows(current.Version):
			return etag.Stale()
		default:
			return fault.New(fault.NotFound, "There is no "+requireLang+" translation.")
		}
	})
	return out, err
}
