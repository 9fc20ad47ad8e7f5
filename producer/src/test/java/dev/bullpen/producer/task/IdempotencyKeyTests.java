package dev.bullpen.producer.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdempotencyKeyTests {

    @Test
    void noHeaderIsNoKey() {
        assertThat(IdempotencyKey.of(null)).isNull();
    }

    @Test
    void refusesAnEmptyOrBlankKeyNamingTheHeader() {
        for (String blank : new String[] {"", "   "}) {
            assertThatThrownBy(() -> IdempotencyKey.of(blank))
                    .isInstanceOfSatisfying(InvalidTaskRequestException.class,
                            ex -> assertThat(ex.field()).isEqualTo("Idempotency-Key"))
                    .hasMessageContaining("must not be empty");
        }
    }

    @Test
    void takesUpTo255CharactersAndRefusesMore() {
        assertThat(IdempotencyKey.of("k".repeat(255))).isNotNull();
        assertThatThrownBy(() -> IdempotencyKey.of("k".repeat(256)))
                .isInstanceOfSatisfying(InvalidTaskRequestException.class,
                        ex -> assertThat(ex.field()).isEqualTo("Idempotency-Key"))
                .hasMessageContaining("at most 255 characters, got 256");
    }

    @Test
    void storesTheKeysSha256UnderThePrefix() {
        // sha256("abc"), as sha256sum prints it.
        assertThat(new IdempotencyKey("abc").redisKey("app:"))
                .isEqualTo("app:bullpen-idem-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(new IdempotencyKey("*?[x]").redisKey("")).matches("bullpen-idem-[0-9a-f]{64}");
    }

    @Test
    void showsAHashOfTheKeyNotTheKey() {
        assertThat(new IdempotencyKey("abc")).hasToString("IdempotencyKey[ba7816bf8f01]");
        assertThat(new IdempotencyKey("customer-42-order-7").toString()).doesNotContain("customer");
    }
}
