output "tester_email" {
  description = "The account of branch builds."
  value       = module.ci.tester_email
}

output "deployer_email" {
  description = "The account of deploy builds."
  value       = module.ci.deployer_email
}

output "image_repository" {
  description = "Where the deploy build pushes the migration job's image."
  value       = module.ci.image_repository
}
