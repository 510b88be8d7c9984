// sloth-generate: sloth's own generator (github.com/slok/sloth/pkg/lib, the library `sloth generate`
// calls) behind the part of `sloth generate`'s command line the rule tests use. Building this package
// compiles sloth's generator without the CLI's Kubernetes controller and client sets (about half the
// packages), which keeps a cold build in CI short. With no plugin folders the library loads the same
// embedded default plugins as the CLI, so a prometheus/v1 spec yields the same rules.
//
//	sloth-generate --default-slo-period=30d -i slos.yml -o rules.yml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	prometheusmodel "github.com/prometheus/common/model"
	slothlib "github.com/slok/sloth/pkg/lib"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "sloth-generate: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	period := flag.String("default-slo-period", "30d", "the SLO period for specs that name none (as in `sloth generate`)")
	input := flag.String("i", "", "the SLO spec file (prometheus/v1, Kubernetes or OpenSLO)")
	output := flag.String("o", "", "where the Prometheus rules are written")
	flag.Parse()
	if *input == "" || *output == "" {
		return fmt.Errorf("-i and -o are required")
	}
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", flag.Args())
	}
	parsed, err := prometheusmodel.ParseDuration(*period)
	if err != nil {
		return fmt.Errorf("--default-slo-period %q: %w", *period, err)
	}
	spec, err := os.ReadFile(*input)
	if err != nil {
		return err
	}
	gen, err := slothlib.NewPrometheusSLOGenerator(slothlib.PrometheusSLOGeneratorConfig{
		DefaultSLOPeriod: time.Duration(parsed),
		CallerAgent:      slothlib.CallerAgentCLI,
	})
	if err != nil {
		return err
	}
	ctx := context.Background()
	result, err := gen.GenerateFromRaw(ctx, spec)
	if err != nil {
		return err
	}
	out, err := os.Create(*output)
	if err != nil {
		return err
	}
	if err := gen.WriteResultAsPrometheusStd(ctx, *result, out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
