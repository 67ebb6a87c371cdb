package awstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/permgraph/permgraph/ingest/bundle"
)

// s3Op names the S3 operation of a path-style request.
func s3Op(r *http.Request) string {
	bucket := strings.Trim(r.URL.Path, "/")
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet:
		return r.Method + " " + r.URL.Path
	case bucket == "":
		return "ListBuckets"
	case strings.Contains(bucket, "/"):
		return "GetObject"
	case q.Has("policy"):
		return "GetBucketPolicy"
	case q.Has("tagging"):
		return "GetBucketTagging"
	}
	return "GET " + r.URL.String()
}

// resources returns the account's resources whose ARN starts with prefix
// and has no "/" after it.
func (s *Server) resources(account, prefix string, nested bool) []*bundle.Resource {
	a := s.b.Accounts[account]
	if a == nil {
		return nil
	}
	var out []*bundle.Resource
	for i, r := range a.Resources {
		if rest, ok := strings.CutPrefix(r.Arn, prefix); ok && (nested || !strings.Contains(rest, "/")) {
			out = append(out, &a.Resources[i])
		}
	}
	return out
}

func (s *Server) s3(q *req) bool {
	buckets := s.resources(q.account, "arn:aws:s3:::", false)
	bucket := strings.Trim(q.r.URL.Path, "/")
	var b *bundle.Resource
	for _, x := range buckets {
		if x.Arn == "arn:aws:s3:::"+bucket {
			b = x
		}
	}
	q.w.Header().Set("Content-Type", "application/xml")
	switch q.op {
	case "ListBuckets":
		type xBucket struct{ Name, CreationDate string }
		out := struct {
			XMLName           xml.Name `xml:"ListAllMyBucketsResult"`
			Owner             struct{ ID string }
			Buckets           []xBucket `xml:"Buckets>Bucket"`
			ContinuationToken string    `xml:",omitempty"`
		}{}
		out.Owner.ID = "owner-" + q.account
		from, to, next := page(len(buckets), q.r.URL.Query().Get("continuation-token"), s.opts.PageSize)
		for _, x := range buckets[from:to] {
			out.Buckets = append(out.Buckets, xBucket{strings.TrimPrefix(x.Arn, "arn:aws:s3:::"), "2026-01-01T00:00:00Z"})
		}
		out.ContinuationToken = next
		s.xmlBody(q, out)
	case "GetBucketPolicy":
		switch {
		case b == nil:
			s.apiError(q, http.StatusNotFound, "NoSuchBucket", "no bucket "+bucket)
		case b.Policy == nil:
			s.apiError(q, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
		default:
			q.w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(q.w, b.Policy.Raw)
		}
	case "GetBucketTagging":
		switch {
		case b == nil:
			s.apiError(q, http.StatusNotFound, "NoSuchBucket", "no bucket "+bucket)
		case len(b.Tags) == 0:
			s.apiError(q, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
		default:
			s.xmlBody(q, struct {
				XMLName xml.Name `xml:"Tagging"`
				TagSet  []xTag   `xml:"TagSet>Tag"`
			}{TagSet: tags(b.Tags)})
		}
	default:
		return false
	}
	return true
}

func (s *Server) xmlBody(q *req, v any) {
	fmt.Fprint(q.w, xml.Header)
	if err := xml.NewEncoder(q.w).Encode(v); err != nil {
		s.writeFailed(q, err)
	}
}

func (s *Server) kms(q *req) bool {
	keys := s.resources(q.account, "arn:aws:kms:"+q.scope.region+":", true)
	key := func() *bundle.Resource {
		for _, k := range keys {
			if k.Arn == q.str("KeyId") {
				return k
			}
		}
		s.apiError(q, http.StatusBadRequest, "NotFoundException", "no key "+q.str("KeyId"))
		return nil
	}
	marker := q.str("Marker")
	switch q.op {
	case "ListKeys":
		from, to, next := page(len(keys), marker, s.opts.PageSize)
		var out []map[string]string
		for _, k := range keys[from:to] {
			out = append(out, map[string]string{"KeyId": k.Arn[strings.LastIndex(k.Arn, "/")+1:], "KeyArn": k.Arn})
		}
		s.jsonResult(q, map[string]any{"Keys": out, "Truncated": next != "", "NextMarker": next})
	case "GetKeyPolicy":
		if q.str("PolicyName") != "default" {
			s.t.Errorf("awstest: GetKeyPolicy PolicyName %q, want default", q.str("PolicyName"))
		}
		if k := key(); k != nil {
			doc := ""
			if k.Policy != nil {
				doc = k.Policy.Raw
			}
			s.jsonResult(q, map[string]string{"Policy": doc, "PolicyName": "default"})
		}
	case "ListResourceTags":
		if k := key(); k != nil {
			from, to, next := page(len(k.Tags), marker, s.opts.PageSize)
			var out []map[string]string
			for _, t := range k.Tags[from:to] {
				out = append(out, map[string]string{"TagKey": t.Key, "TagValue": t.Value})
			}
			s.jsonResult(q, map[string]any{"Tags": out, "Truncated": next != "", "NextMarker": next})
		}
	default:
		return false
	}
	return true
}
