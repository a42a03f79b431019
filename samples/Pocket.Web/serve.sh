#!/bin/sh
# Publishes Pocket.Web (Release, trimmed) to artifacts/web and serves it on http://127.0.0.1:${PORT:-5080}/ .
set -e
cd "$(dirname "$0")/../.."
dotnet publish samples/Pocket.Web -c Release -o artifacts/web
exec dotnet run --project samples/Pocket.Web.Serve -c Release -- artifacts/web/wwwroot --port "${PORT:-5080}"
