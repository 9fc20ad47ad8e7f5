package dev.bullpen.producer.errors;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Puts {@link ProblemErrorReportValve} in place of Tomcat's HTML error report on the host. Swapped when
 * the context starts, after every customizer has run and the host has started: Boot's own customizer
 * adds a plain {@link ErrorReportValve} to the host, and the host adds one as it starts if none is there.
 */
@Component
class TomcatProblems implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        // The host has its error report valve by then: Boot's customizer added one, or the host did as it started.
        factory.addContextCustomizers(context -> context.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                swap(context.getParent());
            }
        }));
    }

    private static void swap(Container host) {
        boolean present = false;
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ProblemErrorReportValve) {
                present = true;
            } else if (valve instanceof ErrorReportValve) {
                host.getPipeline().removeValve(valve);
            }
        }
        if (!present) {
            host.getPipeline().addValve(new ProblemErrorReportValve());
        }
    }
}
