package dev.bullpen.producer.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;

/** The one problem builder: what a handler answers, and what a handler method throws. */
class ProblemsTests {

    @Test
    void aResponseCarriesTheStatusTitleFieldPropertiesInOrderAndRetryAfter() {
        ResponseEntity<ProblemDetail> response = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "not sent: broker down")
                .title("Broker unavailable").property("ids", List.of("a")).field("body")
                .retryAfter(Problems.RETRY_AFTER_SECONDS).response();

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(response.getHeaders().get("Retry-After")).containsExactly("5");
        ProblemDetail problem = response.getBody();
        assertThat(problem.getStatus()).isEqualTo(503);
        assertThat(problem.getTitle()).isEqualTo("Broker unavailable");
        assertThat(problem.getDetail()).isEqualTo("not sent: broker down");
        assertThat(problem.getProperties()).containsExactly(
                entry("ids", List.of("a")),
                entry("field", "body"));
    }

    @Test
    void withoutATitleItIsTheReasonPhraseAndWithoutRetryAfterNoHeader() {
        ResponseEntity<ProblemDetail> response = Problems.of(HttpStatus.BAD_REQUEST, "bad").response();

        assertThat(response.getBody().getTitle()).isEqualTo("Bad Request");
        assertThat(response.getBody().getProperties()).isNull();
        assertThat(response.getHeaders().isEmpty()).isTrue();
    }

    @Test
    void anExceptionCarriesTheSameProblem() {
        ErrorResponseException ex = Problems.of(HttpStatus.NOT_FOUND, "no such thing").title("Not here").exception();

        assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(ex.getBody().getTitle()).isEqualTo("Not here");
        assertThat(ex.getBody().getDetail()).isEqualTo("no such thing");
    }
}
