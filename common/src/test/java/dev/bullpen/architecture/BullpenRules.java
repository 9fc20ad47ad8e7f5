package dev.bullpen.architecture;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * Bullpen's module boundaries as ArchUnit rules, shared by each module's {@code ArchitectureTests}
 * (through common's test-jar), so a module checks the rules that concern it against its own classes.
 * Each rule's {@code because} says what to do instead.
 */
public final class BullpenRules {

    private BullpenRules() {
    }

    /** The module's main classes under {@code dev.bullpen.<module>}, tests left out. */
    public static JavaClasses mainClasses(String... packages) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(packages);
    }

    /** The module's main and test classes under these packages. */
    public static JavaClasses allClasses(String... packages) {
        return new ClassFileImporter().importPackages(packages);
    }

    /** Outside common, nothing uses the client's implementation: what worker and producer need is public API. */
    public static ArchRule noClientInternals() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("dev.bullpen.client.internal..")
                .because("dev.bullpen.client.internal is common's implementation; use the public API in "
                        + "dev.bullpen.client (TaskClient, TaskControl, ConfirmingPublisher, BrokerTopology, CanvasSender)");
    }

    /**
     * Queues, exchanges and bindings are declared in one place, {@code BrokerTopology}, so their
     * arguments cannot drift apart (a queue declared twice with other arguments is PRECONDITION_FAILED).
     */
    public static ArchRule topologyHasOneOwner() {
        return noClasses().that().doNotHaveFullyQualifiedName("dev.bullpen.client.BrokerTopology")
                .should().callMethodWhere(target(nameMatching("queueDeclare|exchangeDeclare|queueBind"))
                        .and(target(owner(assignableTo("com.rabbitmq.client.Channel")))))
                .because("every declaration goes through dev.bullpen.client.BrokerTopology, which keeps Celery's "
                        + "names and the arguments existing queues have (passive declares, which only check, are fine)");
    }

    /** The producer talks to workers through the broker only. */
    public static ArchRule producerWithoutWorker() {
        return noClasses().that().resideInAPackage("dev.bullpen.producer..")
                .should().dependOnClassesThat().resideInAPackage("dev.bullpen.worker..")
                .because("the producer reaches workers through the broker (TaskClient, TaskControl), never their code");
    }

    /** The wire protocol is plain Java: no Spring, no AMQP channel or connection. */
    public static ArchRule protocolIsPlain() {
        return noClasses().that().resideInAPackage("dev.bullpen.protocol..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("com.rabbitmq.client.Channel")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("com.rabbitmq.client.Connection")
                .because("dev.bullpen.protocol encodes and decodes Celery's messages only; talking to the broker "
                        + "belongs to dev.bullpen.client, Spring to autoconfigure");
    }

    /**
     * A plain Java user of TaskClient needs no Spring: nothing the client reaches, however indirectly,
     * is Spring. The Redis result backend and revocations (Spring Data Redis) and the autoconfiguration
     * are reached only by whoever builds them.
     */
    public static ArchRule clientWithoutSpring() {
        return noClasses().that().resideInAPackage("dev.bullpen.client..")
                .should().transitivelyDependOnClassesThat().resideInAPackage("org.springframework..")
                .because("TaskClient must run without Spring on the class path (spring-* are optional in common); "
                        + "Spring belongs to RedisResultBackend, RedisRevocations and dev.bullpen.autoconfigure");
    }

    /**
     * No cycle between packages of common; {@code client.internal} counts apart from {@code client},
     * so the API may use its implementation but not the other way round.
     */
    public static ArchRule noPackageCycles() {
        return slices().assignedFrom(new TopLevelPackages()).should().beFreeOfCycles()
                .because("a package cycle (e.g. client <-> client.internal) means neither can be read or changed alone");
    }

    /** {@code dev.bullpen.<name>}, and {@code dev.bullpen.<name>.internal} apart. */
    private static final class TopLevelPackages implements SliceAssignment {

        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            if (!name.startsWith("dev.bullpen.")) {
                return SliceIdentifier.ignore();
            }
            String[] parts = name.substring("dev.bullpen.".length()).split("\\.");
            return parts.length > 1 && parts[1].equals("internal")
                    ? SliceIdentifier.of(parts[0] + ".internal") : SliceIdentifier.of(parts[0]);
        }

        @Override
        public String getDescription() {
            return "packages of dev.bullpen, each internal package apart";
        }
    }
}
