package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PnCounterStateTest {

    @Test
    void theValueIsTheSumOfAllDeltasOfAllOrigins() {
        PnCounterState a = new PnCounterState();
        a.add("n0", 5);
        a.add("n0", -7);
        a.add("n1", 3);
        assertThat(a.value()).isEqualTo(1);
        assertThat(a.versions()).isEqualTo(Map.of("n0", 2L, "n1", 1L));
    }

    @Test
    void mergeIsIdempotentCommutativeAndKeepsTheNewerEntry() {
        PnCounterState a = new PnCounterState();
        PnCounterState b = new PnCounterState();
        a.add("n0", 4);
        JsonNode old = a.deltaSince(Map.of());
        a.add("n0", -10);
        b.add("n1", 2);
        JsonNode fromA = a.deltaSince(Map.of());
        JsonNode fromB = b.deltaSince(Map.of());

        a.merge(fromB);
        b.merge(fromA);
        b.merge(fromA);
        b.merge(old); // late and stale: must not roll n0 back
        assertThat(a.value()).isEqualTo(-4);
        assertThat(b.value()).isEqualTo(-4);
        assertThat(a.versions()).isEqualTo(b.versions());
    }

    @Test
    void aDeltaCarriesOnlyWhatThePeerLacks() {
        PnCounterState a = new PnCounterState();
        a.add("n0", 1);
        a.add("n1", 1);
        a.add("n1", 1);
        assertThat(a.deltaSince(Map.of("n0", 1L, "n1", 1L)).toString()).isEqualTo("{\"n1\":[2,2]}");
        assertThat(a.deltaSince(a.versions()).isEmpty()).isTrue();
    }

    @Test
    void aMalformedDeltaIsRejectedWithoutChangingTheState() throws Exception {
        PnCounterState a = new PnCounterState();
        a.add("n0", 3);
        assertThatThrownBy(() -> a.merge(Wire.JSON.readTree("{\"n1\":\"x\"}"))).isInstanceOf(RpcError.class);
        assertThatThrownBy(() -> a.merge(Wire.JSON.readTree("[1]"))).isInstanceOf(RpcError.class);
        assertThat(a.value()).isEqualTo(3);
    }
}
