package synth

// Words the generator builds names from. Lists, not maps: their order is
// part of what makes the output reproducible.
var (
	teams = []string{"payments", "checkout", "search", "identity", "growth", "data", "ml", "platform",
		"billing", "fraud", "support", "logistics", "catalog", "notifications", "analytics", "reporting",
		"ledger", "risk", "mobile", "web", "pricing", "inventory", "shipping", "marketing"}
	apps = []string{"api", "worker", "ingest", "etl", "scheduler", "gateway", "indexer", "exporter",
		"sync", "processor", "frontend", "backend", "consumer", "publisher", "webhook", "batch", "stream", "cron"}
	purposes = []string{"data-access", "read-only", "deploy", "s3-access", "dynamodb-access", "queue-access",
		"secrets-read", "kms-use", "logs-write", "ssm-access", "events-publish", "tagging", "ops", "admin", "debug"}
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yasmin",
		"zoe", "amir", "bea", "chen", "dmitri", "elena", "farah", "goran", "hana", "igor", "jun", "kofi",
		"lena", "mateo", "nora", "oscar", "priya", "quinn", "ravi", "sofia", "tomas", "uma", "wei", "ximena"}
	lastNames = []string{"smith", "jones", "garcia", "miller", "davis", "martinez", "lopez", "wilson",
		"anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson", "white",
		"harris", "clark", "lewis", "walker", "hall", "young", "king", "wright", "scott", "nguyen", "hill",
		"green", "adams", "baker", "nelson", "carter", "mitchell", "roberts", "turner", "phillips", "campbell"}
	agentKinds = []string{"support", "sales", "research", "coding", "triage", "billing", "ops", "hr",
		"onboarding", "claims", "compliance", "finops", "knowledge", "incident"}
	repos = []string{"infra", "terraform-live", "api", "web-app", "mobile-backend", "data-pipelines",
		"ml-models", "deploy-tools", "platform-modules", "service-mesh", "batch-jobs", "docs-site",
		"checkout-service", "search-service", "ledger-service", "agents"}
	regions = []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
	models  = []string{"anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-haiku-20240307-v1:0",
		"amazon.titan-embed-text-v2:0", "meta.llama3-1-70b-instruct-v1:0", "amazon.nova-pro-v1:0"}
)

// vendor is a third party that an account lets in through a role.
type vendor struct {
	role, service string
	policies      []string // AWS managed policies attached
	extra         []string // actions of an extra customer managed policy
}

var vendors = []vendor{
	{"DatadogIntegrationRole", "datadog", []string{"SecurityAudit"}, []string{"cloudwatch:Get*", "cloudwatch:List*", "logs:FilterLogEvents", "tag:GetResources"}},
	{"WizAccess-Role", "wiz", []string{"SecurityAudit", "ViewOnlyAccess"}, []string{"s3:GetObject", "kms:Decrypt", "ec2:CreateSnapshot"}},
	{"OrcaSecurityRole", "orca", []string{"SecurityAudit"}, []string{"ec2:CreateSnapshot", "ec2:CopySnapshot", "kms:CreateGrant"}},
	{"CloudHealthRole", "cloudhealth", []string{"ReadOnlyAccess"}, []string{"ce:*", "cur:*"}},
	{"SnykCloudRole", "snyk", []string{"SecurityAudit"}, nil},
	{"PagerDutyIntegration", "pagerduty", nil, []string{"cloudwatch:DescribeAlarms", "sns:Subscribe"}},
	{"SplunkDataIngestRole", "splunk", nil, []string{"s3:GetObject", "s3:ListBucket", "sqs:ReceiveMessage", "sqs:DeleteMessage", "kms:Decrypt"}},
	{"VantaAuditor", "vanta", []string{"SecurityAudit"}, nil},
	{"Fivetran-S3-Access", "fivetran", nil, []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject"}},
	{"LaceworkCfgRole", "lacework", []string{"SecurityAudit"}, []string{"iam:GetAccountAuthorizationDetails"}},
}

// service is an AWS service namespace with its display name, as
// get-service-last-accessed-details prints it, and some of its actions.
type service struct {
	ns, name   string
	read       []string
	write      []string
	privileged []string
}

var services = []service{
	{"s3", "Amazon S3", []string{"GetObject", "ListBucket", "GetBucketLocation", "ListAllMyBuckets"}, []string{"PutObject", "DeleteObject"}, []string{"PutBucketPolicy", "DeleteBucket", "PutBucketAcl", "PutBucketPublicAccessBlock"}},
	{"dynamodb", "Amazon DynamoDB", []string{"GetItem", "Query", "Scan", "DescribeTable"}, []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}, []string{"DeleteTable"}},
	{"sqs", "Amazon SQS", []string{"ReceiveMessage", "GetQueueAttributes", "GetQueueUrl"}, []string{"SendMessage", "DeleteMessage", "ChangeMessageVisibility"}, []string{"SetQueueAttributes", "DeleteQueue"}},
	{"sns", "Amazon SNS", []string{"GetTopicAttributes", "ListTopics"}, []string{"Publish", "Subscribe"}, []string{"SetTopicAttributes", "DeleteTopic"}},
	{"kms", "AWS Key Management Service", []string{"DescribeKey", "ListKeys"}, []string{"Decrypt", "Encrypt", "GenerateDataKey"}, []string{"PutKeyPolicy", "ScheduleKeyDeletion", "CreateGrant", "DisableKey"}},
	{"secretsmanager", "AWS Secrets Manager", []string{"DescribeSecret", "ListSecrets"}, []string{"GetSecretValue", "PutSecretValue"}, []string{"PutResourcePolicy", "DeleteSecret"}},
	{"lambda", "AWS Lambda", []string{"GetFunction", "ListFunctions"}, []string{"InvokeFunction", "UpdateFunctionConfiguration"}, []string{"CreateFunction", "UpdateFunctionCode", "AddPermission", "DeleteFunction"}},
	{"ec2", "Amazon EC2", []string{"DescribeInstances", "DescribeVpcs", "DescribeSecurityGroups", "DescribeSubnets"}, []string{"StartInstances", "StopInstances", "CreateTags"}, []string{"RunInstances", "TerminateInstances", "AuthorizeSecurityGroupIngress", "ModifyInstanceAttribute"}},
	{"ecs", "Amazon Elastic Container Service", []string{"DescribeServices", "ListClusters", "DescribeTasks"}, []string{"UpdateService", "RunTask"}, []string{"RegisterTaskDefinition", "DeleteService"}},
	{"ecr", "Amazon Elastic Container Registry", []string{"GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer"}, []string{"PutImage", "InitiateLayerUpload"}, []string{"SetRepositoryPolicy", "DeleteRepository"}},
	{"logs", "Amazon CloudWatch Logs", []string{"DescribeLogGroups", "FilterLogEvents", "GetLogEvents"}, []string{"CreateLogStream", "PutLogEvents", "CreateLogGroup"}, []string{"DeleteLogGroup", "PutRetentionPolicy"}},
	{"cloudwatch", "Amazon CloudWatch", []string{"GetMetricData", "ListMetrics", "DescribeAlarms"}, []string{"PutMetricData", "PutMetricAlarm"}, []string{"DeleteAlarms"}},
	{"ssm", "AWS Systems Manager", []string{"GetParameter", "GetParameters", "DescribeInstanceInformation"}, []string{"PutParameter", "StartSession"}, []string{"SendCommand", "DeleteParameter"}},
	{"states", "AWS Step Functions", []string{"DescribeExecution", "ListStateMachines"}, []string{"StartExecution"}, []string{"UpdateStateMachine", "DeleteStateMachine"}},
	{"events", "Amazon EventBridge", []string{"DescribeRule", "ListRules"}, []string{"PutEvents"}, []string{"PutRule", "PutTargets", "DeleteRule"}},
	{"bedrock", "Amazon Bedrock", []string{"GetFoundationModel", "ListFoundationModels", "GetAgent"}, []string{"InvokeModel", "InvokeModelWithResponseStream", "InvokeAgent", "Retrieve"}, []string{"CreateAgent", "UpdateAgent", "DeleteAgent", "CreateAgentActionGroup"}},
	{"athena", "Amazon Athena", []string{"GetQueryExecution", "GetQueryResults"}, []string{"StartQueryExecution"}, []string{"DeleteWorkGroup"}},
	{"glue", "AWS Glue", []string{"GetTable", "GetDatabase", "GetPartitions"}, []string{"StartJobRun", "BatchCreatePartition"}, []string{"DeleteTable", "UpdateJob"}},
	{"kinesis", "Amazon Kinesis", []string{"DescribeStream", "GetRecords", "GetShardIterator"}, []string{"PutRecord", "PutRecords"}, []string{"DeleteStream"}},
	{"cloudformation", "AWS CloudFormation", []string{"DescribeStacks", "ListStacks"}, []string{"CreateStack", "UpdateStack"}, []string{"DeleteStack"}},
	{"iam", "AWS Identity and Access Management", []string{"GetRole", "ListRoles", "GetPolicy", "ListAttachedRolePolicies"}, []string{"TagRole", "ChangePassword"},
		[]string{"PassRole", "CreatePolicyVersion", "AttachRolePolicy", "PutRolePolicy", "CreateAccessKey", "UpdateAssumeRolePolicy", "CreateUser", "AttachUserPolicy", "CreateRole"}},
	{"sts", "AWS Security Token Service", []string{"GetCallerIdentity"}, []string{"AssumeRole"}, nil},
	{"tag", "AWS Resource Groups Tagging API", []string{"GetResources", "GetTagKeys"}, nil, nil},
	{"ce", "AWS Cost Explorer Service", []string{"GetCostAndUsage"}, nil, nil},
	{"cur", "AWS Cost and Usage Report", []string{"DescribeReportDefinitions"}, nil, nil},
	{"rds", "Amazon RDS", []string{"DescribeDBInstances", "DescribeDBClusters"}, []string{"CreateDBSnapshot"}, []string{"DeleteDBInstance", "ModifyDBInstance"}},
}

// serviceByNS returns the service with namespace ns, or one named for ns
// with no actions listed.
func serviceByNS(ns string) *service {
	for i := range services {
		if services[i].ns == ns {
			return &services[i]
		}
	}
	return &service{ns: ns, name: ns}
}

// actionTracked reports whether AWS tracks last access per action for ns
// (it does for IAM, EC2, Lambda and S3 management actions).
func actionTracked(ns string) bool {
	return ns == "iam" || ns == "ec2" || ns == "lambda" || ns == "s3"
}
