#!/usr/bin/env python3
"""A cortexd client in Python: generates stubs from proto/ alone and calls Health, reflection and GetStatus, and
reads the rich error details (google.rpc.Status: ErrorInfo, BadRequest) of a failed call.

Usage: /usr/bin/python3 examples/python/cortex_client.py [--home ~/.cortex] [--address host:port --token T]
Needs grpcio and protobuf ≥ 3.15 for Python and a protoc that knows proto3 `optional`. On Debian/Ubuntu:
apt-get install python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc
(Debian's python3-grpc-tools bundles a protoc too old for `optional`; it is used only when protoc is absent).
"""
import argparse
import json
import os
import sys
import tempfile

import shutil
import subprocess

import grpc

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROTO_DIR = os.path.join(ROOT, "proto")


def generate_stubs(out_dir):
    """Compiles cortex.v1, google.rpc and the health and reflection protos (all in proto/) into out_dir."""
    jobs = [
        (PROTO_DIR, ["cortex/v1/common.proto", "cortex/v1/models.proto", "cortex/v1/jobs.proto", "cortex/v1/inference.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"]),
    ]
    # The health and reflection protos' own paths (grpc/…) would shadow the installed grpc package: copy them.
    staged = os.path.join(out_dir, "_protos")
    os.makedirs(staged)
    shutil.copy(os.path.join(PROTO_DIR, "grpc", "health", "v1", "health.proto"), os.path.join(staged, "health_v1.proto"))
    shutil.copy(os.path.join(PROTO_DIR, "grpc", "reflection", "v1", "reflection.proto"), os.path.join(staged, "reflection_v1.proto"))
    jobs.append((staged, ["health_v1.proto", "reflection_v1.proto"]))
    plugin = shutil.which("grpc_python_plugin")
    for include, files in jobs:
        for f in files:
            if shutil.which("protoc") and plugin:
                argv = ["protoc", "-I" + include, "--python_out=" + out_dir, "--grpc_out=" + out_dir, "--plugin=protoc-gen-grpc=" + plugin, f]
                rc = subprocess.call(argv)
            else:
                from grpc_tools import protoc
                rc = protoc.main(["protoc", "-I" + include, "--python_out=" + out_dir, "--grpc_python_out=" + out_dir, f])
            if rc != 0:
                raise SystemExit("protoc failed on %s" % f)
    # grpc_tools writes packages without __init__.py; Python 3 namespace packages import them fine.
    sys.path.insert(0, out_dir)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", default=os.environ.get("CORTEX_HOME", os.path.expanduser("~/.cortex")))
    parser.add_argument("--address", help="host:port of the TCP listener (token required)")
    parser.add_argument("--token", default=os.environ.get("CORTEX_TOKEN"))
    args = parser.parse_args()

    out_dir = tempfile.mkdtemp(prefix="cortex-py-")
    generate_stubs(out_dir)
    from cortex.v1 import models_pb2, models_pb2_grpc
    from google.rpc import error_details_pb2, status_pb2
    import health_v1_pb2 as health_pb2
    import health_v1_pb2_grpc as health_pb2_grpc
    import reflection_v1_pb2 as reflection_pb2
    import reflection_v1_pb2_grpc as reflection_pb2_grpc

    target = args.address or "unix://" + os.path.join(args.home, "cortexd.sock")
    metadata = [("authorization", "Bearer " + args.token)] if args.address and args.token else []
    with grpc.insecure_channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        overall = health.Check(health_pb2.HealthCheckRequest(service=""), metadata=metadata, timeout=10)
        per_service = health.Check(health_pb2.HealthCheckRequest(service="cortex.v1.ModelService"), metadata=metadata, timeout=10)

        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), metadata=metadata, timeout=10)
        services = sorted(s.name for a in answers for s in a.list_services_response.service)

        models = models_pb2_grpc.ModelServiceStub(channel)
        status = models.GetStatus(models_pb2.GetStatusRequest(), metadata=metadata, timeout=10)

        # A failed call: the status code, and google.rpc.Status details from the grpc-status-details-bin trailer.
        error = {}
        try:
            models.GetModel(models_pb2.GetModelRequest(id="no-such-model"), metadata=metadata, timeout=10)
        except grpc.RpcError as e:
            error["status"] = e.code().name
            for key, value in e.trailing_metadata() or ():
                if key == "grpc-status-details-bin":
                    rich = status_pb2.Status.FromString(value)
                    for any_detail in rich.details:
                        if any_detail.type_url.endswith("/google.rpc.ErrorInfo"):
                            info = error_details_pb2.ErrorInfo.FromString(any_detail.value)
                            error["reason"], error["domain"] = info.reason, info.domain

    print(json.dumps({
        "health": health_pb2.HealthCheckResponse.ServingStatus.Name(overall.status),
        "model_service_health": health_pb2.HealthCheckResponse.ServingStatus.Name(per_service.status),
        "services": services,
        "version": status.version,
        "home": status.home,
        "pid": status.pid,
        "redis_mode": status.redis.mode,
        "redis_healthy": status.redis.healthy,
        "queues": [q.queue for q in status.queues],
        "error": error,
    }))


if __name__ == "__main__":
    main()
