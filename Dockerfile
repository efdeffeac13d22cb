# Lectern: one static-ish binary in a distroless image.
#   docker build -t lectern .
#   docker run -p 8080:8080 -v lectern-data:/data -e LECTERN_PUBLIC_URL=https://school.example lectern

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/lectern /lectern \
 && mkdir -p /volume/data && chown -R 65532:65532 /volume/data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /lectern /usr/local/bin/lectern
# A fresh named volume copies this directory's ownership: the nonroot user (65532) can write.
COPY --from=build --chown=65532:65532 /volume/data /data
VOLUME ["/data"]
ENV LECTERN_ADDR=0.0.0.0:8080 \
    LECTERN_DATA_DIR=/data \
    LECTERN_INDEX_DIR=/data/index \
    LECTERN_BACKUP_EVERY=24h
# The allocator hands freed memory back to the system at once rather than after a second: under
# load the resident size stays 10-15 % lower (docs/BENCHMARKS.md, "Performance, second round").
ENV MIMALLOC_PURGE_DELAY=0
EXPOSE 8080
USER nonroot
STOPSIGNAL SIGTERM
# The image has no shell or curl: the binary checks its own readiness.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/lectern", "health", "--url", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["/usr/local/bin/lectern"]
CMD ["serve"]
