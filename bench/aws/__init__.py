"""Helpers of bench/bench_aws.py: a request-counting moto server, the seeder, the runners."""
