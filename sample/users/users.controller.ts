import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { registerUserSchema, tenantIdSchema, type RegisterUserDto } from './register-user.dto';
import { UsersService } from './users.service';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('tenants/:tenant/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Registers a user and answers at once; Hookline delivers `user.registered` in the background. */
  @Post()
  @HttpCode(201)
  register(
    @Param('tenant', new ZodValidationPipe(tenantIdSchema, 'tenant')) tenant: string,
    @Body(new ZodValidationPipe(registerUserSchema, 'body')) body: RegisterUserDto,
  ): { id: string } {
    return { id: this.users.register(tenant, body).id };
  }
}
