package dev.glomers.retry;

import dev.glomers.node.Node;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetryProperties.class)
public class RetryConfiguration {

    @Bean
    public Retries retries(RetryProperties properties, Node node) {
        return new Retries(properties, node);
    }
}
