import { KafkaCommand } from '../../cli/kafka-command.js'
import { randomKafkaUuid } from '../../util/kafka-uuid.js'

export default class StorageRandomUuid extends KafkaCommand<{ uuid: string }> {
  static override argparseProgram = 'kafka-storage random-uuid'
  static override summary = 'Print a random UUID for use as a cluster id (kafka-storage.sh random-uuid).'
  static override examples = ['KAFKA_CLUSTER_ID="$(<%= config.bin %> storage random-uuid)"']

  async run(): Promise<{ uuid: string }> {
    await this.parse(StorageRandomUuid)
    const uuid = randomKafkaUuid()
    this.out(uuid)
    return { uuid }
  }
}
