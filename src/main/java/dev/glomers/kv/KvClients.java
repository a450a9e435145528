package dev.glomers.kv;

import dev.glomers.node.Node;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** The three key-value services, each with the timeout from {@code glomers.kv.timeout}. */
@Component
@EnableConfigurationProperties(KvProperties.class)
public class KvClients {

    private final KvClient seq;
    private final KvClient lin;
    private final KvClient lww;

    public KvClients(Node node, KvProperties settings) {
        this.seq = new KvClient(node, KvWire.SEQ_KV, settings.timeout());
        this.lin = new KvClient(node, KvWire.LIN_KV, settings.timeout());
        this.lww = new KvClient(node, KvWire.LWW_KV, settings.timeout());
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
