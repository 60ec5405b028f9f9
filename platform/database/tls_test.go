package database_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

// authority is a certificate authority made for one test.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newAuthority(t *testing.T, name string) *authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &authority{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a certificate for cn (server: valid for the DNS names; client: the user name).
func (a *authority) issue(t *testing.T, cn string, dns []string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	require.NoError(t, err)
	raw, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: raw})
}

func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, content, 0o600))
	return path
}

// TestTLSToTheDatabase starts PostgreSQL with a certificate from a CA the test made, reachable
// only over TLS, and shows that verify-full connects with the right CA (and a client
// certificate where the server asks for one) and fails clearly with a wrong CA, a wrong host
// name, or no TLS at all.
func TestTLSToTheDatabase(t *testing.T) {
	t.Parallel()
	ca, stranger := newAuthority(t, "erp test CA"), newAuthority(t, "someone else's CA")
	serverCert, serverKey := ca.issue(t, "localhost", []string{"localhost"}, x509.ExtKeyUsageServerAuth)
	c := dbtest.StartCluster(t, dbtest.ClusterOptions{
		Settings: map[string]string{"ssl": "on", "ssl_cert_file": "'server.crt'", "ssl_key_file": "'server.key'", "ssl_ca_file": "'ca.crt'"},
		Files:    map[string][]byte{"server.crt": serverCert, "server.key": serverKey, "ca.crt": ca.pem},
		HBA: []string{
			"local all all trust",
			"hostssl all certuser 127.0.0.1/32 cert",
			"hostssl all all 127.0.0.1/32 trust",
		},
	})
	c.Exec("postgres", "CREATE ROLE certuser LOGIN")

	dir := t.TempDir()
	rootCA := writeFile(t, dir, "ca.pem", ca.pem)
	wrongCA := writeFile(t, dir, "wrong.pem", stranger.pem)
	clientCert, clientKey := ca.issue(t, "certuser", nil, x509.ExtKeyUsageClientAuth)
	certFile, keyFile := writeFile(t, dir, "client.pem", clientCert), writeFile(t, dir, "client.key", clientKey)

	open := func(url, root, cert, key string) error {
		cfg := dbtest.TestPoolConfig(url)
		cfg.ConnectTimeout, cfg.SSLRootCert, cfg.SSLCert, cfg.SSLKey = 5*time.Second, root, cert, key
		d, err := database.Open(context.Background(), database.Options{Config: cfg, Logger: logging.Discard()})
		if err == nil {
			defer d.Close()
			var ssl bool
			err = d.QueryRow(context.Background(), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", nil, &ssl)
			assert.True(t, ssl, "the session is encrypted")
		}
		return err
	}
	host := func(h, extra string) string {
		return "postgres://postgres@" + h + ":" + itoa(c.Port) + "/postgres?" + extra
	}

	require.NoError(t, open(host("localhost", "sslmode=verify-full"), rootCA, "", ""), "the right CA and host name")
	require.NoError(t, open("postgres://certuser@localhost:"+itoa(c.Port)+"/postgres?sslmode=verify-full", rootCA, certFile, keyFile),
		"a client certificate where the server asks for one")

	err := open(host("localhost", "sslmode=verify-full"), wrongCA, "", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate signed by unknown authority")
	assert.Contains(t, err.Error(), "cannot reach postgres://postgres@localhost")

	err = open(host("127.0.0.1", "sslmode=verify-full"), rootCA, "", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot validate certificate for 127.0.0.1", "the host name the client dialled is not the one the certificate names")

	err = open(host("localhost", "sslmode=disable"), "", "", "")
	require.Error(t, err, "the server takes TLS connections only")
	assert.Contains(t, err.Error(), "no encryption")

	err = open("postgres://certuser@localhost:"+itoa(c.Port)+"/postgres?sslmode=verify-full", rootCA, "", "")
	require.Error(t, err, "no client certificate")
}

func itoa(n int) string { return strconv.Itoa(n) }
