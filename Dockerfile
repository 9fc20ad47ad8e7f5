# One build, two images: `docker compose build` builds both targets from this file.
#   docker build --target producer -t bullpen-producer .
#   docker build --target worker   -t bullpen-worker .
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY worker/pom.xml worker/
COPY producer/pom.xml producer/
# The reactor lists bench too; its pom is enough, since only the two services are built here.
COPY bench/pom.xml bench/
RUN ./mvnw -B -q dependency:go-offline -DexcludeArtifactIds=bullpen-common,bullpen-worker,bullpen-producer || true
COPY common common
COPY worker worker
COPY producer producer
RUN ./mvnw -B -q -DskipTests -pl worker,producer -am package

# Both services run as a user of their own, uid and gid 10001 (clear of the base image's `ubuntu`, 1000):
# neither needs root, and a numeric USER lets Kubernetes' runAsNonRoot check it. What they run (/app) stays
# root's and read-only to them; they write only to /tmp (scratch, Tomcat's work directory) and, the worker,
# to /data, its command tasks' work-dir (a volume mounted there starts out owned by the user).
FROM eclipse-temurin:21-jre AS producer
RUN groupadd --gid 10001 bullpen \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bullpen
WORKDIR /app
COPY --from=build /src/producer/target/bullpen-producer-exec.jar app.jar
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]

# The worker runs on JDK 25 (the code is Java 21) for its AOT cache (JEP 483/514/515): the classes the
# start-up loads and links, read from one file, cut the worker's start-up CPU about in half. The jar is
# extracted (an AOT cache needs plain jars on the class path), then one training run fills the cache.
# There is no Redis in `docker build`: the training run stops where the context first connects to it
# (it exits non-zero there), and the cache holds every class loaded up to that point.
# The bench starts its workers the same way (bench/.../WorkerLaunch.java; `--worker-launch`).
FROM eclipse-temurin:25-jre AS worker
RUN groupadd --gid 10001 bullpen \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bullpen \
 && install -d -o 10001 -g 10001 -m 0750 /data
WORKDIR /app
# Serial is what the JVM picks by itself in a 512 MB container; a small fixed young generation keeps the
# heap the start-up touches small; the native heap is trimmed every second. docker-compose.yml repeats
# these, and the training run uses them too (the cache is only used with the options it was made with).
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xmx256m -Xmn16m -XX:TrimNativeHeapInterval=1000"
COPY --from=build /src/worker/target/bullpen-worker-exec.jar /tmp/app.jar
RUN java -Djarmode=tools -jar /tmp/app.jar extract --destination /app && rm /tmp/app.jar \
 && (java -XX:AOTCacheOutput=/app/app.aot -Dspring.context.exit=onRefresh -jar /app/app.jar \
        --logging.level.root=warn > /tmp/aot-training.log 2>&1 || true) \
 && test -s /app/app.aot && rm /tmp/aot-training.log
# The cache was written by root at build time; at run time it is only read.
USER 10001:10001
EXPOSE 8081
ENTRYPOINT ["java", "-XX:AOTCache=/app/app.aot", "-jar", "/app/app.jar"]
