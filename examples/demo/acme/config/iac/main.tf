# ACME production: the resources the provider operates (excerpt).
resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.m7g.large"
  storage_encrypted   = true
  deletion_protection = true
}
