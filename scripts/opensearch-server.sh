#!/usr/bin/env bash
# A local OpenSearch node for Clocher (http://127.0.0.1:9201): the engine with the
# full French analysis chain. Same subcommands as scripts/search-server.sh
# (start|stop|restart|status|install|verify|reset|url); see docs/search-node.md.
set -euo pipefail
SEARCH_ENGINE=opensearch exec "$(dirname "$0")/search-server.sh" "$@"
