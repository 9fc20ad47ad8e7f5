package dev.bullpen.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The catalogue writes what Celery's tools read, byte for byte. */
class CeleryErrorsTests {

    private static String json(RemoteError error) {
        return error.toJson().toString();
    }

    @Test
    void celerysOwnErrors() {
        assertThat(json(CeleryErrors.notRegistered("t.missing")))
                .isEqualTo("{\"exc_type\":\"NotRegistered\",\"exc_message\":[\"t.missing\"],\"exc_module\":\"celery.exceptions\"}");
        assertThat(json(CeleryErrors.revoked("expired")))
                .isEqualTo("{\"exc_type\":\"TaskRevokedError\",\"exc_message\":[\"expired\"],\"exc_module\":\"celery.exceptions\"}");
        assertThat(CeleryErrors.terminated().message()).isEqualTo("terminated");
        assertThat(json(CeleryErrors.timeLimitExceeded(Duration.ofMillis(1500))))
                .isEqualTo("{\"exc_type\":\"TimeLimitExceeded\",\"exc_message\":[1.5],\"exc_module\":\"celery.exceptions\"}");
        assertThat(CeleryErrors.softTimeLimitExceeded("soft", "tb").traceback()).isEqualTo("tb");
        assertThat(CeleryErrors.maxRetriesExceeded("t.flaky", "id-1").message()).isEqualTo("Can't retry t.flaky[id-1]");
        assertThat(CeleryErrors.retryIn(Duration.ofSeconds(3)).message()).isEqualTo("Retry in 3s");
        assertThat(CeleryErrors.chordError("Dependency x raised ValueError('no')").type()).isEqualTo("ChordError");
    }

    @Test
    void pythonsAndBullpensErrors() {
        assertThat(CeleryErrors.typeError("bad args", null).module()).isEqualTo("builtins");
        assertThat(CeleryErrors.valueError("no").type()).isEqualTo("ValueError");
        assertThat(json(CeleryErrors.resultStoreError("too big")))
                .isEqualTo("{\"exc_type\":\"ResultStoreError\",\"exc_message\":[\"too big\"],\"exc_module\":\"bullpen.exceptions\"}");
        assertThat(CeleryErrors.RESULT_STORE_ERROR).isEqualTo("bullpen.exceptions.ResultStoreError");
        assertThat(CeleryErrors.resultTooLarge("over").type()).isEqualTo("ResultTooLarge");
    }
}
