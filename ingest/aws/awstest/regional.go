package awstest

import (
	"net/http"
	"strings"

	"github.com/permgraph/permgraph/ingest/bundle"
)

// tagMap returns tags as APIs that answer a map (SQS, Lambda) do.
func tagMap(ts []bundle.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range ts {
		out[t.Key] = t.Value
	}
	return out
}

// regional returns the account's resources of service in the request's
// region.
func (s *Server) regional(q *req, service string) []*bundle.Resource {
	return s.resources(q.account, "arn:aws:"+service+":"+q.scope.region+":", true)
}

// queueURL is the URL SQS names a queue by.
func queueURL(arn string) string {
	p := strings.SplitN(arn, ":", 6)
	return "https://sqs." + p[3] + ".amazonaws.com/" + p[4] + "/" + p[5]
}

// sqs answers the JSON protocol (AmazonSQS.*) of SQS.
func (s *Server) sqs(q *req) bool {
	queues := s.regional(q, "sqs")
	queue := func() *bundle.Resource {
		for _, x := range queues {
			if queueURL(x.Arn) == q.str("QueueUrl") {
				return x
			}
		}
		s.apiError(q, http.StatusBadRequest, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
		return nil
	}
	switch q.op {
	case "ListQueues":
		size := s.opts.PageSize
		if n, ok := q.body["MaxResults"].(float64); ok && int(n) < size {
			size = int(n)
		}
		from, to, next := page(len(queues), q.str("NextToken"), size)
		urls := []string{}
		for _, x := range queues[from:to] {
			urls = append(urls, queueURL(x.Arn))
		}
		out := map[string]any{"QueueUrls": urls}
		if next != "" {
			out["NextToken"] = next
		}
		s.jsonResult(q, out)
	case "GetQueueAttributes":
		if x := queue(); x != nil {
			all := map[string]string{"QueueArn": x.Arn}
			if x.Policy != nil {
				all["Policy"] = x.Policy.Raw
			}
			out := map[string]string{}
			names, _ := q.body["AttributeNames"].([]any)
			for _, n := range names {
				n, _ := n.(string)
				if n == "All" {
					out = all
					break
				}
				if v, ok := all[n]; ok {
					out[n] = v
				}
			}
			s.jsonResult(q, map[string]any{"Attributes": out})
		}
	case "ListQueueTags":
		if x := queue(); x != nil {
			out := map[string]any{}
			if len(x.Tags) > 0 {
				out["Tags"] = tagMap(x.Tags)
			}
			s.jsonResult(q, out)
		}
	default:
		return false
	}
	return true
}

// lambdaOp names the Lambda operation of a REST-JSON request.
func lambdaOp(r *http.Request) string {
	p := r.URL.Path
	switch {
	case r.Method != http.MethodGet:
	case p == "/2015-03-31/functions" || p == "/2015-03-31/functions/":
		return "ListFunctions"
	case strings.HasPrefix(p, "/2015-03-31/functions/") && strings.HasSuffix(p, "/policy"):
		return "GetPolicy"
	case strings.HasPrefix(p, "/2017-03-31/tags/"):
		return "ListTags"
	}
	return r.Method + " " + p
}

// lambda answers the REST-JSON protocol of Lambda.
func (s *Server) lambda(q *req) bool {
	fns := s.regional(q, "lambda")
	fn := func(id string) *bundle.Resource {
		for _, x := range fns {
			if x.Arn == id || strings.TrimPrefix(x.Arn, "arn:aws:lambda:"+q.scope.region+":"+q.account+":function:") == id {
				return x
			}
		}
		s.apiError(q, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+id)
		return nil
	}
	query := q.r.URL.Query()
	switch q.op {
	case "ListFunctions":
		from, to, next := page(len(fns), query.Get("Marker"), s.opts.PageSize)
		out := []map[string]string{}
		for _, x := range fns[from:to] {
			out = append(out, map[string]string{"FunctionName": x.Arn[strings.LastIndex(x.Arn, ":")+1:], "FunctionArn": x.Arn})
		}
		res := map[string]any{"Functions": out}
		if next != "" {
			res["NextMarker"] = next
		}
		s.jsonResult(q, res)
	case "GetPolicy":
		id := strings.TrimSuffix(strings.TrimPrefix(q.r.URL.Path, "/2015-03-31/functions/"), "/policy")
		if x := fn(id); x != nil {
			if x.Policy == nil {
				s.apiError(q, http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
			} else {
				s.jsonResult(q, map[string]string{"Policy": x.Policy.Raw, "RevisionId": "rev-1"})
			}
		}
	case "ListTags":
		if x := fn(strings.TrimPrefix(q.r.URL.Path, "/2017-03-31/tags/")); x != nil {
			s.jsonResult(q, map[string]any{"Tags": tagMap(x.Tags)})
		}
	default:
		return false
	}
	return true
}

// secretName is the name of a secret: its ARN's last part less the
// six-character suffix Secrets Manager adds.
func secretName(arn string) string {
	name := arn[strings.Index(arn, ":secret:")+len(":secret:"):]
	return name[:max(len(name)-7, 0)]
}

// secretsmanager answers the JSON protocol (secretsmanager.*) of Secrets
// Manager.
func (s *Server) secretsmanager(q *req) bool {
	secrets := s.regional(q, "secretsmanager")
	switch q.op {
	case "ListSecrets":
		from, to, next := page(len(secrets), q.str("NextToken"), s.opts.PageSize)
		out := []map[string]any{}
		for _, x := range secrets[from:to] {
			e := map[string]any{"ARN": x.Arn, "Name": secretName(x.Arn)}
			if len(x.Tags) > 0 {
				ts := []map[string]string{}
				for _, t := range x.Tags {
					ts = append(ts, map[string]string{"Key": t.Key, "Value": t.Value})
				}
				e["Tags"] = ts
			}
			out = append(out, e)
		}
		res := map[string]any{"SecretList": out}
		if next != "" {
			res["NextToken"] = next
		}
		s.jsonResult(q, res)
	case "GetResourcePolicy":
		id := q.str("SecretId")
		for _, x := range secrets {
			if x.Arn == id || secretName(x.Arn) == id {
				out := map[string]string{"ARN": x.Arn, "Name": secretName(x.Arn)}
				if x.Policy != nil {
					out["ResourcePolicy"] = x.Policy.Raw
				}
				s.jsonResult(q, out)
				return true
			}
		}
		s.apiError(q, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	default:
		return false
	}
	return true
}

const snsNS = "http://sns.amazonaws.com/doc/2010-03-31/"

// sns answers the query protocol of SNS.
func (s *Server) sns(q *req) bool {
	topics := s.regional(q, "sns")
	topic := func(arn string) *bundle.Resource {
		for _, x := range topics {
			if x.Arn == arn {
				return x
			}
		}
		s.apiError(q, http.StatusNotFound, "NotFound", "Topic does not exist")
		return nil
	}
	type member struct{ TopicArn string }
	type entry struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	}
	switch q.op {
	case "ListTopics":
		from, to, next := page(len(topics), q.str("NextToken"), s.opts.PageSize)
		out := struct {
			Topics    []member `xml:"Topics>member"`
			NextToken string   `xml:",omitempty"`
		}{NextToken: next}
		for _, x := range topics[from:to] {
			out.Topics = append(out.Topics, member{x.Arn})
		}
		s.queryResult(q, snsNS, out)
	case "GetTopicAttributes":
		if x := topic(q.str("TopicArn")); x != nil {
			p := strings.SplitN(x.Arn, ":", 6)
			out := struct {
				Attributes []entry `xml:"Attributes>entry"`
			}{Attributes: []entry{{"TopicArn", x.Arn}, {"Owner", p[4]}, {"DisplayName", ""}}}
			if x.Policy != nil {
				out.Attributes = append(out.Attributes, entry{"Policy", x.Policy.Raw})
			}
			s.queryResult(q, snsNS, out)
		}
	case "ListTagsForResource":
		if x := topic(q.str("ResourceArn")); x != nil {
			s.queryResult(q, snsNS, struct {
				Tags []xTag `xml:"Tags>member"`
			}{tags(x.Tags)})
		}
	default:
		return false
	}
	return true
}

// ecr answers the JSON protocol (AmazonEC2ContainerRegistry_V20150921.*)
// of ECR.
func (s *Server) ecr(q *req) bool {
	repos := s.regional(q, "ecr")
	name := func(arn string) string { return arn[strings.Index(arn, ":repository/")+len(":repository/"):] }
	repo := func(arn string) *bundle.Resource {
		for _, x := range repos {
			if x.Arn == arn || (name(x.Arn) == q.str("repositoryName") && q.str("repositoryName") != "") {
				return x
			}
		}
		s.apiError(q, http.StatusBadRequest, "RepositoryNotFoundException", "The repository does not exist")
		return nil
	}
	if id := q.str("registryId"); id != "" && id != q.account {
		s.t.Errorf("awstest: ecr %s registryId %q, want %s", q.op, id, q.account)
	}
	switch q.op {
	case "DescribeRepositories":
		from, to, next := page(len(repos), q.str("nextToken"), s.opts.PageSize)
		out := []map[string]string{}
		for _, x := range repos[from:to] {
			out = append(out, map[string]string{"repositoryArn": x.Arn, "repositoryName": name(x.Arn), "registryId": q.account,
				"repositoryUri": q.account + ".dkr.ecr." + q.scope.region + ".amazonaws.com/" + name(x.Arn)})
		}
		res := map[string]any{"repositories": out}
		if next != "" {
			res["nextToken"] = next
		}
		s.jsonResult(q, res)
	case "GetRepositoryPolicy":
		if x := repo(""); x != nil {
			if x.Policy == nil {
				s.apiError(q, http.StatusBadRequest, "RepositoryPolicyNotFoundException", "Repository policy does not exist")
			} else {
				s.jsonResult(q, map[string]string{"registryId": q.account, "repositoryName": name(x.Arn), "policyText": x.Policy.Raw})
			}
		}
	case "ListTagsForResource":
		if x := repo(q.str("resourceArn")); x != nil {
			out := []map[string]string{}
			for _, t := range x.Tags {
				out = append(out, map[string]string{"Key": t.Key, "Value": t.Value})
			}
			s.jsonResult(q, map[string]any{"tags": out})
		}
	default:
		return false
	}
	return true
}
