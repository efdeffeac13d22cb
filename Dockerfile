# Lectern: one static-ish binary in a distroless image.
#   docker build -t lectern .
#   docker run -p 8080:8080 -v lectern-data:/data -e LECTERN_PUBLIC_URL=https://school.example lectern

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/lectern /lectern

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /lectern /usr/local/bin/lectern
VOLUME ["/data"]
ENV LECTERN_ADDR=0.0.0.0:8080 \
    LECTERN_DATA_DIR=/data \
    LECTERN_INDEX_DIR=/data/index
EXPOSE 8080
USER nonroot
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/lectern"]
CMD ["serve"]
