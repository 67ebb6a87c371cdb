package awsingest

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
)

// DefaultRegion is used when neither a flag nor the environment names one:
// Organizations and IAM are global, and answer in us-east-1.
const DefaultRegion = "us-east-1"

// ConfigOptions control [LoadConfig].
type ConfigOptions struct {
	Profile     string // shared config profile; "" for the default chain
	Region      string // "" for the environment's, else [DefaultRegion]
	EndpointURL string // one endpoint for every service (tests, proxies)
	MaxAttempts int    // per request, throttling included; 0 for 10
}

// LoadConfig loads the SDK configuration with the standard credential chain
// (environment, shared config and SSO profiles, IMDS) and the SDK's adaptive
// retryer. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are read by the
// SDK itself; EndpointURL, if set, overrides them.
func LoadConfig(ctx context.Context, o ConfigOptions) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRetryer(AdaptiveRetryer(o.MaxAttempts, nil))}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsingest: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return cfg, nil
}

// AdaptiveRetryer returns the retryer LoadConfig installs: the SDK's
// adaptive mode (client-side rate limiting after throttling errors), up to
// maxAttempts attempts (10 for 0), without the standard mode's retry quota,
// which a long ingest would exhaust. A nil backoff keeps the SDK's
// exponential backoff with jitter; tests pass one that does not wait.
func AdaptiveRetryer(maxAttempts int, backoff retry.BackoffDelayer) func() aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = 10
	}
	return func() aws.Retryer {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.RateLimiter = ratelimit.None
				if backoff != nil {
					so.Backoff = backoff
				}
			})
		})
	}
}

// customS3Endpoint reports whether S3 is reached through a custom endpoint,
// which needs path-style addressing (bucket names in the path, not the host).
func customS3Endpoint(cfg aws.Config) bool {
	return cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
}

// partition returns the ARN partition of region.
func partition(region string) string {
	switch {
	case len(region) >= 3 && region[:3] == "cn-":
		return "aws-cn"
	case len(region) >= 7 && region[:7] == "us-gov-":
		return "aws-us-gov"
	}
	return "aws"
}
