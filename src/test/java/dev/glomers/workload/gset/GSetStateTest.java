package dev.glomers.workload.gset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GSetStateTest {

    private static JsonNode e(int value) {
        return IntNode.valueOf(value);
    }

    @Test
    void deltasSendOnlyTheTailThePeerLacksAndMergingThemTwiceChangesNothing() {
        GSetState a = new GSetState();
        GSetState b = new GSetState();
        a.add("n0", e(1));
        a.add("n0", e(2));
        b.merge(a.deltaSince(b.versions()));
        a.add("n0", e(3));
        JsonNode delta = a.deltaSince(b.versions());
        assertThat(delta.toString()).isEqualTo("{\"n0\":[2,[3]]}");
        b.merge(delta);
        b.merge(delta);
        b.merge(a.deltaSince(Map.of())); // the whole state again: an overlap, not a duplicate
        assertThat(b.elements()).containsExactly(e(1), e(2), e(3));
        assertThat(b.versions()).isEqualTo(a.versions());
    }

    @Test
    void aDeltaThatWouldLeaveAHoleIsIgnoredUntilTheMissingPartArrives() {
        GSetState a = new GSetState();
        GSetState b = new GSetState();
        a.add("n0", e(1));
        a.add("n0", e(2));
        b.merge(a.deltaSince(Map.of("n0", 1L)));
        assertThat(b.elements()).isEmpty();
        b.merge(a.deltaSince(Map.of()));
        assertThat(b.elements()).containsExactly(e(1), e(2));
    }

    @Test
    void theSetIsTheUnionOfAllOriginsWithoutDuplicatesAndConvergesInAnyOrder() {
        GSetState a = new GSetState();
        GSetState b = new GSetState();
        GSetState c = new GSetState();
        a.add("n0", e(1));
        b.add("n1", e(2));
        b.add("n1", e(1));
        c.merge(b.deltaSince(Map.of()));
        c.merge(a.deltaSince(Map.of()));
        a.merge(b.deltaSince(Map.of()));
        b.merge(a.deltaSince(b.versions()));
        assertThat(a.elements()).containsExactlyInAnyOrder(e(1), e(2));
        assertThat(b.elements()).containsExactlyInAnyOrder(e(1), e(2));
        assertThat(c.elements()).containsExactlyInAnyOrder(e(1), e(2));
        assertThat(a.versions()).isEqualTo(b.versions()).isEqualTo(c.versions());
    }
}
