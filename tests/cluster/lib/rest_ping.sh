# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the harness and by the integration tests' helpers.

# stdin, slurmrestd's answer to /slurm/VERSION/ping, names a controller that
# answers: v0.0.38 "ping": "UP", v0.0.40-44 "pinged": "UP", v0.0.45 only
# "responding": true
rest_ping_up() {
    jq -e '[.pings[]? | .responding == true or (.ping // .pinged) == "UP"] | any' > /dev/null
}
