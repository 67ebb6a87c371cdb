package awstest

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsingest "github.com/permgraph/permgraph/ingest/aws"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// MgmtAccessKey is the access key of the caller in the management account.
const MgmtAccessKey = "AKIAMANAGEMENT000000"

// Options control the fake.
type Options struct {
	// PageSize is the number of items per page of every paginated answer;
	// 0 for 100.
	PageSize int
	// Throttle maps an operation ("GetAccountAuthorizationDetails") to how
	// many of its first calls are answered with a throttling error.
	Throttle map[string]int
	// DenyAssumeRole lists accounts whose AssumeRole is denied.
	DenyAssumeRole []string
	// JobPolls is how many times GetServiceLastAccessedDetails answers
	// IN_PROGRESS for each job before it completes.
	JobPolls int
}

// Server is a running fake.
type Server struct {
	URL  string
	t    testing.TB
	opts Options
	b    *bundle.Bundle
	dir  string
	mgmt string
	srv  *httptest.Server

	mu          sync.Mutex
	calls       map[string]int
	throttled   map[string]int
	reports     map[string]bool // accounts whose credential report was generated
	jobs        map[string]*job
	disconnects int
}

type job struct {
	account, arn string
	polls        int
}

// New starts a fake fed from the bundle in dir, closed when the test ends.
func New(t testing.TB, dir string, opts Options) *Server {
	t.Helper()
	b, err := bundle.Read(dir, bundle.Options{})
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	s := &Server{t: t, opts: opts, b: b, dir: dir, calls: map[string]int{}, throttled: map[string]int{},
		reports: map[string]bool{}, jobs: map[string]*job{}}
	if b.Org != nil {
		s.mgmt = b.Org.Organization.MasterAccountId
	} else {
		for id := range b.Accounts {
			s.mgmt = id
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Management returns the management account's id.
func (s *Server) Management() string { return s.mgmt }

// Config returns an SDK config that reaches the fake as the management
// account's caller, with the adaptive retryer and no backoff wait.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(MgmtAccessKey, "secret", ""),
		BaseEndpoint: aws.String(s.URL),
		Retryer:      awsingest.AdaptiveRetryer(5, retry.BackoffDelayerFunc(noBackoff)),
	}
}

func noBackoff(int, error) (d0 time.Duration, err error) { return 0, nil }

// Calls returns how many times op was called, throttled calls included.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// scope is what a request's SigV4 Authorization header says.
type scope struct{ accessKey, region, service string }

func parseScope(h string) (scope, bool) {
	_, rest, ok := strings.Cut(h, "Credential=")
	if !ok {
		return scope{}, false
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return scope{}, false
	}
	return scope{accessKey: parts[0], region: parts[2], service: parts[3]}, true
}

// account returns the account a request's access key belongs to.
func (s *Server) account(sc scope) string {
	if sc.accessKey == MgmtAccessKey {
		return s.mgmt
	}
	if id, ok := strings.CutPrefix(sc.accessKey, "ASIA"); ok {
		return id
	}
	return ""
}

// req is one request being answered.
type req struct {
	w       http.ResponseWriter
	r       *http.Request
	scope   scope
	account string
	op      string
	form    map[string]string // query protocol parameters
	body    map[string]any    // JSON protocol input
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	sc, ok := parseScope(r.Header.Get("Authorization"))
	if !ok {
		s.t.Errorf("awstest: unsigned request %s %s", r.Method, r.URL)
		http.Error(w, "unsigned", http.StatusForbidden)
		return
	}
	q := &req{w: w, r: r, scope: sc, account: s.account(sc)}
	switch sc.service {
	case "sts", "iam", "sns":
		if err := r.ParseForm(); err != nil {
			s.t.Errorf("awstest: %s: %v", sc.service, err)
		}
		q.op = r.PostForm.Get("Action")
		q.form = map[string]string{}
		for k, v := range r.PostForm {
			q.form[k] = v[0]
		}
	case "organizations", "kms", "sqs", "secretsmanager", "ecr":
		_, q.op, _ = strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &q.body); err != nil {
			s.t.Errorf("awstest: %s %s: body: %v", sc.service, q.op, err)
		}
	case "s3":
		q.op = s3Op(r)
	case "lambda":
		q.op = lambdaOp(r)
	}
	if s.throttle(q) {
		return
	}
	var handled bool
	switch sc.service {
	case "sts":
		handled = s.sts(q)
	case "iam":
		handled = s.iam(q)
	case "organizations":
		handled = s.organizations(q)
	case "kms":
		handled = s.kms(q)
	case "s3":
		handled = s.s3(q)
	case "sqs":
		handled = s.sqs(q)
	case "lambda":
		handled = s.lambda(q)
	case "secretsmanager":
		handled = s.secretsmanager(q)
	case "sns":
		handled = s.sns(q)
	case "ecr":
		handled = s.ecr(q)
	}
	if !handled {
		s.t.Errorf("awstest: unexpected AWS call %s:%s (%s %s)", sc.service, q.op, r.Method, r.URL)
		s.apiError(q, http.StatusBadRequest, "InvalidAction", "unexpected call")
	}
}

// throttle counts the call and answers it with a throttling error while
// Options.Throttle says so.
func (s *Server) throttle(q *req) bool {
	s.mu.Lock()
	s.calls[q.op]++
	n := s.throttled[q.op]
	throttle := n < s.opts.Throttle[q.op]
	if throttle {
		s.throttled[q.op]++
	}
	s.mu.Unlock()
	if !throttle {
		return false
	}
	code := map[string]string{"sts": "Throttling", "iam": "Throttling", "organizations": "TooManyRequestsException",
		"kms": "ThrottlingException", "s3": "SlowDown", "sqs": "RequestThrottled", "lambda": "TooManyRequestsException",
		"secretsmanager": "ThrottlingException", "sns": "Throttling", "ecr": "ThrottlingException"}[q.scope.service]
	status := http.StatusBadRequest
	if code == "SlowDown" {
		status = http.StatusServiceUnavailable
	}
	s.apiError(q, status, code, "Rate exceeded")
	return true
}

// apiError answers with an error in the protocol of the request's service.
func (s *Server) apiError(q *req, status int, code, msg string) {
	switch q.scope.service {
	case "organizations", "kms", "sqs", "secretsmanager", "ecr":
		q.w.Header().Set("Content-Type", jsonType(q))
		q.w.Header().Set("X-Amzn-ErrorType", code)
		if q.scope.service == "sqs" {
			// What SQS sends a client in query-compatible mode.
			q.w.Header().Set("X-Amzn-Query-Error", code+";Sender")
		}
		q.w.WriteHeader(status)
		_ = json.NewEncoder(q.w).Encode(map[string]string{"__type": code, "message": msg})
	case "lambda":
		q.w.Header().Set("Content-Type", "application/json")
		q.w.Header().Set("X-Amzn-ErrorType", code)
		q.w.WriteHeader(status)
		_ = json.NewEncoder(q.w).Encode(map[string]string{"__type": code, "message": msg})
	case "s3":
		q.w.Header().Set("Content-Type", "application/xml")
		q.w.WriteHeader(status)
		fmt.Fprintf(q.w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, xmlText(msg))
	default:
		q.w.Header().Set("Content-Type", "text/xml")
		q.w.WriteHeader(status)
		fmt.Fprintf(q.w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
			code, xmlText(msg))
	}
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// queryResult answers a query-protocol call with result as <opResult>.
func (s *Server) queryResult(q *req, ns string, result any) {
	q.w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(q.w, `<%sResponse xmlns="%s">`, q.op, ns)
	e := xml.NewEncoder(q.w)
	if err := e.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: q.op + "Result"}}); err != nil {
		s.writeFailed(q, err)
	}
	fmt.Fprintf(q.w, `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>`, q.op)
}

// writeFailed reports an answer that could not be written: an encoding
// error fails the test; a client that went away (the SDK retries) is only
// counted, in Disconnects.
func (s *Server) writeFailed(q *req, err error) {
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		s.mu.Lock()
		s.disconnects++
		s.mu.Unlock()
		s.t.Logf("awstest: %s: client went away: %v", q.op, err)
		return
	}
	s.t.Errorf("awstest: %s: %v", q.op, err)
}

// Disconnects returns how many answers could not be written because the
// client closed the connection.
func (s *Server) Disconnects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.disconnects
}

// jsonType is the Content-Type of the JSON protocol of q's service.
func jsonType(q *req) string {
	switch q.scope.service {
	case "sqs":
		return "application/x-amz-json-1.0"
	case "lambda":
		return "application/json"
	}
	return "application/x-amz-json-1.1"
}

// jsonResult answers a JSON-protocol (or REST-JSON) call.
func (s *Server) jsonResult(q *req, v any) {
	q.w.Header().Set("Content-Type", jsonType(q))
	if err := json.NewEncoder(q.w).Encode(v); err != nil {
		s.writeFailed(q, err)
	}
}

func (q *req) str(key string) string {
	if q.form != nil {
		return q.form[key]
	}
	v, _ := q.body[key].(string)
	return v
}

// page returns the page of n items starting at token, and the next token.
func page(n int, token string, size int) (from, to int, next string) {
	from, _ = strconv.Atoi(token)
	from = min(max(from, 0), n)
	to = min(from+size, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next
}

// credentialReport returns the account's credential-report.csv.
func (s *Server) credentialReport(account string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.dir, "accounts", account, "credential-report.csv"))
}
