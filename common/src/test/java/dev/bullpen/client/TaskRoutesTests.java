package dev.bullpen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskRoutesTests {

    private static TaskRoutes routes(String... patternThenQueue) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < patternThenQueue.length; i += 2) {
            map.put(patternThenQueue[i], patternThenQueue[i + 1]);
        }
        return TaskRoutes.of(map);
    }

    @Test
    void anExactNameRoutesThatTaskOnly() {
        TaskRoutes routes = routes("mail.send", "mail");

        assertThat(routes.queueFor("mail.send")).hasValue("mail");
        assertThat(routes.queueFor("mail.sender")).isEmpty();
        assertThat(routes.queueFor("mail")).isEmpty();
    }

    @Test
    void aPrefixGlobRoutesEveryTaskUnderIt() {
        TaskRoutes routes = routes("images.*", "images");

        assertThat(routes.queueFor("images.thumbnail")).hasValue("images");
        assertThat(routes.queueFor("images.resize.big")).as("* spans dots").hasValue("images");
        assertThat(routes.queueFor("images.")).as("* stands for at least one character").isEmpty();
        assertThat(routes.queueFor("images")).isEmpty();
        assertThat(routes.queueFor("imagesX.thumbnail")).as("the dot is literal").isEmpty();
    }

    @Test
    void aGlobMustMatchTheWholeName() {
        TaskRoutes routes = routes("*.send", "mail");

        assertThat(routes.queueFor("mail.send")).hasValue("mail");
        assertThat(routes.queueFor("mail.sender")).isEmpty();
        assertThat(routes.queueFor("sms.send")).hasValue("mail");
    }

    @Test
    void aStarAloneRoutesEverything() {
        assertThat(routes("*", "catch-all").queueFor("demo.add")).hasValue("catch-all");
    }

    @Test
    void regexCharactersInAPatternAreLiteral() {
        TaskRoutes routes = routes("a+b.(x)*", "q");

        assertThat(routes.queueFor("a+b.(x)1")).hasValue("q");
        assertThat(routes.queueFor("aab.x1")).isEmpty();
    }

    @Test
    void anExactNameWinsOverEveryGlobWhateverTheOrder() {
        TaskRoutes routes = routes("*", "all", "images.*", "images", "images.thumbnail", "thumbs");

        assertThat(routes.queueFor("images.thumbnail")).hasValue("thumbs");
        assertThat(routes.queueFor("images.resize")).hasValue("images");
        assertThat(routes.queueFor("demo.add")).hasValue("all");
    }

    @Test
    void theMostSpecificGlobWinsWhateverTheOrder() {
        for (TaskRoutes routes : new TaskRoutes[] {
                routes("images.*", "images", "images.thumbs.*", "thumbs"),
                routes("images.thumbs.*", "thumbs", "images.*", "images")}) {
            assertThat(routes.queueFor("images.thumbs.small")).hasValue("thumbs");
            assertThat(routes.queueFor("images.resize")).hasValue("images");
        }
    }

    @Test
    void betweenGlobsAsSpecificAsEachOtherTheFirstDeclaredWins() {
        // Both have seven characters besides '*'.
        assertThat(routes("images.*", "images", "*.urgent", "urgent").queueFor("images.urgent")).hasValue("images");
        assertThat(routes("*.urgent", "urgent", "images.*", "images").queueFor("images.urgent")).hasValue("urgent");
    }

    @Test
    void noMatchLeavesTheChoiceToTheDefaultQueue() {
        TaskRoutes routes = routes("images.*", "images", "mail.send", "mail");
        TaskClientSettings settings = new TaskClientSettings("celery", Duration.ofSeconds(1), 1, true)
                .withRoutes(routes);

        assertThat(routes.queueFor("demo.add")).isEmpty();
        assertThat(TaskRoutes.none().queueFor("images.thumbnail")).isEmpty();
        assertThat(settings.queueFor("demo.add", TaskOptions.defaults())).isEqualTo("celery");
    }

    @Test
    void anExplicitQueueWinsOverTheRouteWhichWinsOverTheDefault() {
        TaskClientSettings settings = new TaskClientSettings("celery", Duration.ofSeconds(1), 1, true)
                .withRoutes(routes("images.*", "images"));

        assertThat(settings.queueFor("images.thumbnail", TaskOptions.defaults().queue("urgent"))).isEqualTo("urgent");
        assertThat(settings.queueFor("images.thumbnail", TaskOptions.defaults())).isEqualTo("images");
        assertThat(settings.queueFor("demo.add", TaskOptions.defaults())).isEqualTo("celery");
    }

    @Test
    void aBlankPatternOrQueueIsRefused() {
        assertThatThrownBy(() -> routes(" ", "q")).hasMessageContaining("pattern must not be blank");
        assertThatThrownBy(() -> routes("mail.send", "")).hasMessageContaining("'mail.send' names no queue");
    }
}
