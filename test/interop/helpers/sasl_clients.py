"""SASL/PLAIN clients driven by test/interop/sasl.test.ts.

usage: sasl_clients.py kafka-python|confluent BOOTSTRAP TOPIC USER PASSWORD

Produces three messages to TOPIC and reads them back over a SASL_PLAINTEXT connection. kafka-python
2.0.2 authenticates with SaslHandshake v0 and a bare token frame; confluent-kafka (librdkafka) with
SaslHandshake v1 and SaslAuthenticate. Prints {"values": [...]} or {"error": "<class>: <text>"}.
"""
import json
import sys

VALUES = ["sasl-1", "sasl-2", "sasl-3"]


def kafka_python(bootstrap, topic, user, password):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    sasl = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": user,
        "sasl_plain_password": password,
        "request_timeout_ms": 15000,
        "api_version_auto_timeout_ms": 10000,
    }
    producer = KafkaProducer(bootstrap_servers=bootstrap, **sasl)
    for v in VALUES:
        producer.send(topic, v.encode()).get(timeout=15)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=5000, **sasl)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    values = [m.value.decode() for m in consumer]
    consumer.close()
    return values


def confluent(bootstrap, topic, user, password):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

    sasl = {
        "bootstrap.servers": bootstrap,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "PLAIN",
        "sasl.username": user,
        "sasl.password": password,
    }
    errors = []
    producer = Producer({**sasl, "message.timeout.ms": 10000, "error_cb": lambda e: errors.append(e)})
    for v in VALUES:
        producer.produce(topic, v.encode(), on_delivery=lambda err, _msg: err is not None and errors.append(err))
    left = producer.flush(15)
    # A failed authentication surfaces as error_cb calls and undelivered messages, not as an exception.
    if left or errors:
        raise KafkaException(errors[0] if errors else "messages not delivered")
    consumer = Consumer({**sasl, "group.id": "sasl-interop", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    for _ in range(100):
        if len(values) >= len(VALUES):
            break
        m = consumer.poll(0.2)
        if m is not None and m.error() is None:
            values.append(m.value().decode())
    consumer.close()
    return values


def main():
    mode, bootstrap, topic, user, password = sys.argv[1:6]
    try:
        values = (kafka_python if mode == "kafka-python" else confluent)(bootstrap, topic, user, password)
        print(json.dumps({"values": values}))
    except Exception as err:  # the failure class is what the test looks at
        print(json.dumps({"error": f"{type(err).__name__}: {err}"}))


main()
