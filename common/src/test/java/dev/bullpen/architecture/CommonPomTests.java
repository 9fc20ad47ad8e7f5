package dev.bullpen.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A plain Java user of TaskClient pulls no Spring: every Spring (and Lettuce) dependency of common
 * is optional or for tests. {@link PlainJavaClientTests} runs a client without them.
 */
class CommonPomTests {

    @Test
    void everySpringDependencyOfCommonIsOptional() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml"))
                .getDocumentElement();
        Element dependencies = (Element) project.getElementsByTagName("dependencies").item(0);
        NodeList all = dependencies.getElementsByTagName("dependency");
        List<String> compulsory = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            Element dependency = (Element) all.item(i);
            String group = text(dependency, "groupId");
            boolean spring = group.startsWith("org.springframework") || group.equals("io.lettuce");
            boolean optional = text(dependency, "optional").equals("true") || text(dependency, "scope").equals("test");
            if (spring && !optional) {
                compulsory.add(group + ":" + text(dependency, "artifactId"));
            }
        }
        assertThat(compulsory).as("Spring dependencies of bullpen-common that a plain Java TaskClient user would pull; "
                + "make them <optional>true</optional> and declare them where they are used").isEmpty();
    }

    private static String text(Element parent, String tag) {
        NodeList found = parent.getElementsByTagName(tag);
        return found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
    }
}
