# perfgate: multi-stage Debian bookworm build, non-root runtime image.
# The package lists are the ones `make` installs: scripts/packages-build.txt
# (build stage) and scripts/packages-runtime.txt (runtime stage).
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/packages-build.txt scripts/packages-build.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(grep -v '^#' scripts/packages-build.txt) \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make clean && make -j"$(nproc)" build/perfgate

FROM debian:bookworm-slim
COPY scripts/packages-runtime.txt /tmp/packages-runtime.txt
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(grep -v '^#' /tmp/packages-runtime.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/packages-runtime.txt \
 && groupadd --system perfgate \
 && useradd --system --gid perfgate --home-dir /nonexistent --shell /usr/sbin/nologin perfgate
COPY --from=build /src/build/perfgate /usr/local/bin/perfgate
COPY config/perfgate.conf.example /etc/perfgate/perfgate.conf.example
USER perfgate
ENV PERFGATE_LISTEN=0.0.0.0:8080 \
    PERFGATE_CONFIG=/dev/null
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["perfgate", "serve"]
