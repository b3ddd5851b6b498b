# syntax=docker/dockerfile:1
# One image for every edu2lms service of docker-compose.yml (capture, transform, sink and the
# one-shot setup steps): `docker compose build` builds it; the command picks the stage.

# --- build: the whole reactor, tests neither compiled nor run (CI runs them) -----------------------
# The official Maven image (same Maven as .mvn/wrapper, JDK 17): no wrapper download in the build.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas/ schemas/
COPY capture/ capture/
COPY transform/ transform/
COPY embedded/ embedded/
COPY sink/ sink/
COPY generator/ generator/
COPY cli/ cli/
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package

# --- runtime: a JRE, the jar and its libraries, a non-root user -------------------------------------
FROM eclipse-temurin:17-jre
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/edu2lms --create-home edu2lms \
    && mkdir -p /var/lib/edu2lms/data \
    && chown -R edu2lms:edu2lms /var/lib/edu2lms
COPY --from=build /src/cli/target/edu2lms.jar /opt/edu2lms/edu2lms.jar
COPY --from=build /src/cli/target/lib/ /opt/edu2lms/lib/
USER edu2lms
WORKDIR /var/lib/edu2lms
# Container defaults of the configuration (README §Configuration); compose sets the rest.
ENV EDU2LMS_DATA_DIR=/var/lib/edu2lms/data \
    EDU2LMS_HTTP_HOST=0.0.0.0 \
    EDU2LMS_HTTP_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
VOLUME ["/var/lib/edu2lms/data"]
EXPOSE 8080
# /health/ready answers 503 while a stage of the process has been unable to do its work for longer
# than health.not.ready.after (docs/operations.md §Health and readiness); a failed stage exits and
# the restart policy starts it again.
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["java", "-jar", "/opt/edu2lms/edu2lms.jar"]
CMD ["--help"]
