"""confluent-kafka (librdkafka) consumer for test/interop/read-committed.test.ts.

usage: read_committed.py BOOTSTRAP TOPIC ISOLATION(read_committed|read_uncommitted)

Reads partition 0 from the beginning until librdkafka reports the end of the partition and prints one
JSON document: the values it handed out, in order, and the watermarks it saw.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

TIMEOUT_S = 20


def main(bootstrap, topic, isolation):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "read-committed-probe",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": isolation,
        "fetch.wait.max.ms": 50,
    })
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    eof = False
    deadline = time.time() + TIMEOUT_S
    while not eof and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                eof = True
                continue
            raise SystemExit("consumer error: %s" % msg.error())
        values.append(msg.value().decode())
    position = consumer.position([TopicPartition(topic, 0)])[0].offset
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=TIMEOUT_S)
    consumer.close()
    print(json.dumps({"values": values, "eof": eof, "position": position, "low": low, "high": high}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
