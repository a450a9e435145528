package dev.glomers.kv;

import dev.glomers.node.Node;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The three key-value services, each with the timeout from {@code glomers.kv.timeout}. */
@Component
public class KvClients {

    private final KvClient seq;
    private final KvClient lin;
    private final KvClient lww;

    public KvClients(Node node, @Value("${glomers.kv.timeout:1s}") Duration timeout) {
        this.seq = new KvClient(node, KvClient.SEQ_KV, timeout);
        this.lin = new KvClient(node, KvClient.LIN_KV, timeout);
        this.lww = new KvClient(node, KvClient.LWW_KV, timeout);
    }

    public KvClient seq() {
        return seq;
    }

    public KvClient lin() {
        return lin;
    }

    public KvClient lww() {
        return lww;
    }
}
