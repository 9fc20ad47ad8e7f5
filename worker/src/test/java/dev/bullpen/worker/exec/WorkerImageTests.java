package dev.bullpen.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the images run as, read from the Dockerfile and docker-compose.yml (there is no Docker
 * engine to build them here): a user of their own with a fixed uid and gid, never root, owning
 * what it writes. {@link ComposeWorkerExecIntegrationTests} runs the worker jar as that user.
 */
class WorkerImageTests {

    static final long UID = 10001;

    @ParameterizedTest
    @ValueSource(strings = {"producer", "worker"})
    void eachServiceRunsAsItsOwnUserWithAFixedNumericUidAndGid(String service) throws Exception {
        List<String> stage = WorkerImage.stage(service);

        assertThat(WorkerImage.user(stage)).as("the last USER of stage %s", service).containsExactly(UID, UID);
        assertThat(stage).as("stage %s", service).anySatisfy(instruction -> assertThat(instruction)
                .startsWith("RUN ").contains("groupadd --gid " + UID + " bullpen", "useradd --uid " + UID + " --gid " + UID));
        // What it runs comes before the USER and stays root's: the user cannot rewrite its own code.
        int user = stage.indexOf("USER " + UID + ":" + UID);
        assertThat(stage.subList(user, stage.size())).noneMatch(instruction -> instruction.startsWith("COPY ")
                || instruction.startsWith("RUN "));
        assertThat(stage).noneMatch(instruction -> instruction.startsWith("COPY --chown"));
    }

    @Test
    void theWorkersWorkDirIsADirectoryOfTheImageOwnedByItsUser() throws Exception {
        List<String> stage = WorkerImage.stage("worker");

        assertThat(WorkerImage.composeWorkerEnvironment()).containsEntry("BULLPEN_WORKER_EXEC_WORKDIR", "/data");
        assertThat(stage).anySatisfy(instruction -> assertThat(instruction)
                .startsWith("RUN ").contains("install -d -o " + UID + " -g " + UID + " -m 0750 /data"));
        // A named volume mounted there starts as a copy of the image's directory, owner included.
        assertThat(WorkerImage.composeWorker().get("volumes")).asList().containsExactly("exec-data:/data");
    }

    @Test
    void composesStackRunsNoCommandUntilItsOperatorAllowsOne() throws Exception {
        assertThat(WorkerImage.composeWorkerEnvironment()).doesNotContainKey("BULLPEN_WORKER_EXEC_ALLOWEDPROGRAMS");
    }
}
