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

FROM eclipse-temurin:21-jre AS producer
WORKDIR /app
COPY --from=build /src/producer/target/bullpen-producer-exec.jar app.jar
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]

FROM eclipse-temurin:21-jre AS worker
WORKDIR /app
COPY --from=build /src/worker/target/bullpen-worker-exec.jar app.jar
EXPOSE 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
