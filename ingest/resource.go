package ingest

import (
	"strings"

	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest/bundle"
)

// resource maps an entry of resources.json. A resource policy is kept on the
// node and, as graph.Resource documents, as a Policy node of kind resource
// ("<arn>#policy") reached through HasPolicy.
func (am *accountMapper) resource(r *bundle.Resource) {
	acct := accountOf(r.Arn)
	if acct == "" || acct == "aws" {
		acct = am.a.ID // S3 buckets have no account in their ARN
	}
	n := &graph.Node{ID: r.Arn, Kind: graph.KindResource, ARN: r.Arn, Name: arnName(r.Arn), Account: acct,
		Tags: tags(r.Tags), Resource: &graph.Resource{Type: resourceType(r.Arn), Policy: documentJSON(r.Policy)}}
	if !am.add(n) {
		am.warnf("account %s: resource %s listed twice; the second is ignored", am.a.ID, r.Arn)
		return
	}
	am.link(n.ID, accountID(am.a.ID), graph.EdgeInAccount)
	if r.Policy == nil {
		return
	}
	id := r.Arn + "#policy"
	am.add(&graph.Node{ID: id, Kind: graph.KindPolicy, Name: n.Name, Account: acct,
		Policy: &graph.Policy{Kind: graph.PolicyResource, Versions: []graph.PolicyVersion{{Document: n.Resource.Policy}}}})
	am.link(id, accountID(am.a.ID), graph.EdgeInAccount)
	am.link(n.ID, id, graph.EdgeHasPolicy)
}

// resourceType names a resource's type from its ARN, as "service:type":
// the resource part up to its first "/" or ":" ("kms:key",
// "lambda:function"), or, for services whose ARNs name no type, the type
// those ARNs stand for ("s3:bucket", "sqs:queue", "sns:topic").
func resourceType(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	service, res := parts[2], parts[5]
	if i := strings.IndexAny(res, "/:"); i > 0 {
		if service == "s3" {
			return "s3:object"
		}
		return service + ":" + res[:i]
	}
	switch service {
	case "s3":
		return "s3:bucket"
	case "sqs":
		return "sqs:queue"
	case "sns":
		return "sns:topic"
	}
	return service
}
