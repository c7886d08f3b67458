package main

import (
	"fmt"
	"os"

	"github.com/Shopify/sarama"
)

func main() {
	cfg := sarama.NewConfig()
	if len(os.Args) > 3 {
		v, err := sarama.ParseKafkaVersion(os.Args[3])
		if err != nil {
			panic(err)
		}
		cfg.Version = v
	}
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 1
	cfg.Metadata.Retry.Max = 1
	p, err := sarama.NewSyncProducer([]string{os.Args[1]}, cfg)
	if err != nil {
		fmt.Println("producer error:", err)
		os.Exit(2)
	}
	defer p.Close()
	part, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: os.Args[2], Value: sarama.StringEncoder("hello")})
	if err != nil {
		fmt.Println("send error:", err)
		os.Exit(3)
	}
	fmt.Println("sent", part, off)
}
