// A cortexd client in Go, built from proto/ alone: calls grpc.health.v1, ModelService.GetStatus and a failing
// GetModel whose google.rpc.Status details (ErrorInfo) it decodes, then prints one JSON line.
//
// Build and run with ./run.sh (generates the stubs with protoc-gen-go and protoc-gen-go-grpc; on Debian:
// apt-get install golang-go protobuf-compiler protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev
// golang-google-genproto-dev).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	cortexv1 "github.com/cortexd/cortexd/gen/go/cortex/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func main() {
	home := flag.String("home", envOr("CORTEX_HOME", filepath.Join(os.Getenv("HOME"), ".cortex")), "CORTEX_HOME of the daemon (unix socket)")
	address := flag.String("address", "", "host:port of the TCP listener (token required)")
	token := flag.String("token", os.Getenv("CORTEX_TOKEN"), "bearer token for TCP")
	flag.Parse()

	opts := []grpc.DialOption{grpc.WithInsecure(), grpc.WithBlock()}
	target := *address
	if target == "" {
		socket := filepath.Join(*home, "cortexd.sock")
		target = "passthrough:///cortexd"
		opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, target, opts...)
	check(err)
	defer conn.Close()
	if *address != "" && *token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+*token)
	}

	// Health answers without a token, also on TCP (liveness probes).
	health, err := grpc_health_v1.NewHealthClient(conn).Check(context.Background(), &grpc_health_v1.HealthCheckRequest{})
	check(err)

	models := cortexv1.NewModelServiceClient(conn)
	st, err := models.GetStatus(ctx, &cortexv1.GetStatusRequest{})
	check(err)
	queues := []string{}
	for _, q := range st.GetQueues() {
		queues = append(queues, q.GetQueue())
	}

	failure := map[string]string{}
	if _, err := models.GetModel(ctx, &cortexv1.GetModelRequest{Id: "no-such-model"}); err != nil {
		s := status.Convert(err)
		failure["status"] = s.Code().String()
		for _, d := range s.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				failure["reason"], failure["domain"] = info.GetReason(), info.GetDomain()
			}
		}
	}

	out, _ := json.Marshal(map[string]interface{}{
		"health":        health.GetStatus().String(),
		"version":       st.GetVersion(),
		"pid":           st.GetPid(),
		"redis_healthy": st.GetRedis().GetHealthy(),
		"queues":        queues,
		"error":         failure,
	})
	fmt.Println(string(out))
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "cortex-go:", status.Convert(err).Code(), status.Convert(err).Message())
		os.Exit(1)
	}
}
