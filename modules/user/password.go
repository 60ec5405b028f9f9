package user

import (
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/password"
)

// passwordProblems checks a new password against the service's one rule (platform/password);
// the message suits a field error.
func passwordProblems(field, pw string) []fault.FieldError {
	if msg := password.Problem(pw); msg != "" {
		return []fault.FieldError{fault.Field(field, msg)}
	}
	return nil
}

// hasher hashes and checks passwords with bcrypt at one cost. It keeps a hash of a random
// password so that a login for an unknown email costs as much as one for a known email.
type hasher struct {
	cost  int
	dummy func() []byte
}

func newHasher(cost int) *hasher {
	return &hasher{cost: cost, dummy: sync.OnceValue(func() []byte {
		// Made on the first login of an unknown email, not at start-up: at cost 12 it takes
		// a quarter of a second, which the create-admin command and every start would pay.
		b, _ := bcrypt.GenerateFromPassword([]byte("no user has this password, ever!"), cost)
		return b
	})}
}

func (h *hasher) hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	return string(b), err
}

// matches compares in constant work; a nil hash compares against the dummy and fails.
func (h *hasher) matches(hash []byte, password string) bool {
	if hash == nil {
		_ = bcrypt.CompareHashAndPassword(h.dummy(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}
